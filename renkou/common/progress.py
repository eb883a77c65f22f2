"""A text progress bar for management commands (long imports, exports, report builds)."""

import sys
import time
from typing import TextIO


class ProgressBar:
    """``[##########..........]  52%  5,200/10,000  1,830 行/秒`` redrawn in place on a
    terminal, or one line per 10 % when the output is a file or a pipe (cron logs)."""

    width = 30

    def __init__(self, total: int, *, label: str = "", stream: TextIO | None = None) -> None:
        self.total, self.label = max(total, 0), label
        self.stream = stream or sys.stderr
        self.done, self.started = 0, time.monotonic()
        self._last_decile = -1
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def advance(self, step: int = 1) -> None:
        self.update(self.done + step)

    def update(self, done: int) -> None:
        self.done = min(done, self.total) if self.total else done
        decile = self.percent // 10
        if self._tty:
            self.stream.write("\r" + self.line())
            self.stream.flush()
        elif decile != self._last_decile:
            self.stream.write(self.line() + "\n")
        self._last_decile = decile

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total

    def line(self) -> str:
        filled = self.width * self.percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        return (
            f"{self.label} [{bar}] {self.percent:3d}%  {self.done:,}/{self.total:,}  "
            f"{rate:,.0f} 行/秒"
        )

    def finish(self) -> None:
        self.update(self.total)
        if self._tty:
            self.stream.write("\n")
