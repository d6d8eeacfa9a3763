"""autograder: the checks that score the course's exercises, and the instructor's tools.

The checks (one module per notebook), the ``dlgrade`` command over nbgrader and
trusted grading arrive with the grading issue; see docs/instructor.md.
"""
