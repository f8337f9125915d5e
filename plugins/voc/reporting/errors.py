"""The report's errors: each message says what is missing and what to do; nothing was written."""


class ReportError(RuntimeError):
    """The report could not be produced; the message says what is missing and what to do. Nothing was written."""


class ReportRefused(ReportError):
    """The quality gate did not pass: the report is not published. Nothing was written."""
