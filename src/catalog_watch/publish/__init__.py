"""Publishing a check: the git side effects (``git``) and the rolling pull request."""
