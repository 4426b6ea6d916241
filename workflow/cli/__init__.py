"""The `azwa` command: a thin layer over the service and the auditor tools."""
