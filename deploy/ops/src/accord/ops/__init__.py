"""Accord operations: the operator command line and the deployment manifests generated from code."""
