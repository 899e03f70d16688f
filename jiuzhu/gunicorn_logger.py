"""gunicorn's logger with the identity-number mask on its access and error handlers
(gunicorn configures its own handlers, outside Django's LOGGING)."""

from gunicorn.glogging import Logger

from jiuzhu.logfilters import MaskIdNumbers


class MaskingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, MaskIdNumbers) for f in handler.filters):
                    handler.addFilter(MaskIdNumbers())
