"""The one exception type whose message is shown to a user as is."""


class MovescreenError(Exception):
    """A problem with the user's input or set-up, explained in one line.

    The command-line entry point prints ``str(err)`` on one line of stderr and exits non-zero;
    anything else is a bug.
    """
