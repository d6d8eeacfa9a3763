"""autograder."""
