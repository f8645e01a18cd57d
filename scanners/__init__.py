"""Security scanners, run by `make scan` and by .ci/run (README "Security scanners")."""
