"""``python -m autograder.worker JOB.json``: the process that grades one submission.

A worker starts for every submission, so its start-up is paid once per student:
it imports only what grading needs. jsonschema (loaded by nbformat) imports the
optional ``rfc3987_syntax`` when it is installed, which compiles a grammar (about
1 s) for a URI format that notebooks never use; a worker goes without it.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    sys.modules.setdefault("rfc3987_syntax", None)  # an ImportError for jsonschema: skipped

    from autograder.autograde import worker_main

    sys.exit(worker_main(sys.argv[1]))
