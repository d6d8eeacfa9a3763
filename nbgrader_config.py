"""nbgrader's configuration for this course (read by nbgrader and by dlgrade).

The course root is this folder: instructors write solutions/NN_name/NN_name.ipynb,
`dlgrade release` (or `make release`) generates notebooks/NN_name/NN_name.ipynb, and
each notebook folder is one nbgrader assignment.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook lies outside the folders a student's kernel works in; it is git-ignored.
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Training cells take seconds; a notebook runs in under 20 s in total on 2 cores. 300 s per
# cell leaves room for a slow grading machine without letting a runaway loop hold a worker.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# A kernel that dies (os._exit, out of memory) is retried once, then the cell fails alone.
c.Execute.execute_retries = 1

# A student who deletes a graded test cell gets it back (scored as usual) instead of a
# silently smaller total; the instructor is told in the log.
c.OverwriteCells.add_missing_cells = True

# The release must never contain solutions or hidden tests: these are nbgrader's markers,
# which the course's solution notebooks use (dlgrade release also checks the result).
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Output that students print is limited, so a runaway print cannot bloat a submission.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100
