"""The one exception type the domain raises: its message is meant for a clerk."""


class CxdeskError(Exception):
    """A problem the person at the keyboard can understand and act on."""
