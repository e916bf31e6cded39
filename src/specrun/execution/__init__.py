"""Running scripts safely: sandboxes, process runners, resource monitoring, executors."""
