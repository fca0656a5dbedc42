"""The errors a service raises when a change is refused for its state (each entry point maps them: the API to
409, the web forms to a message)."""


class WorkflowError(Exception):
    """The object is not in a state that allows this change."""


class ConflictError(WorkflowError):
    """Someone else saved the object since this user loaded it."""
