"""ruamel.yaml's round-trip scanner with comments read in linear time.

Its ``scan_to_next_token`` builds a comment one character at a time (``comment += ch``): when the
string cannot grow in place that copies it each time, so one 2 MB comment line took 55 s of the
pure composer (the one used when the C composer cannot answer: a tab, a syntax error). Here the
comment is one slice of the reader's buffer and the reader is moved past it at once; everything
else is ruamel.yaml's own code, and the tokens, marks and comment texts are the same."""

from __future__ import annotations

import re
from functools import lru_cache

_COMMENT_END = re.compile("[\n\0\r\x85\u2028\u2029]")  # ruamel.yaml's _THE_END


@lru_cache(maxsize=1)
def scanner_class():
    from ruamel.yaml.scanner import RoundTripScanner

    class LinearCommentScanner(RoundTripScanner):
        def scan_to_next_token(self):  # type: ignore[override]
            reader = self.reader
            if reader.index == 0 and reader.peek() == "\ufeff":
                reader.forward()
            white_space = " \t" if self.flow_level > 0 else " "
            while True:
                while reader.peek() in white_space:
                    reader.forward()
                if reader.peek() == "#":
                    return self._dlint_comment()
                if self.scan_line_break() == "":
                    return None
                blank = self._dlint_after_break()
                if blank is not None:
                    return blank

        def _dlint_comment(self):
            reader = self.reader
            start_mark = reader.get_mark()
            reader.forward()  # the '#'
            if reader.buffer is None or reader.raw_buffer is not None:  # a stream: ruamel's own way
                return self._dlint_slow_comment(start_mark)
            start = reader.pointer
            end = _COMMENT_END.search(reader.buffer, start).start()
            body = reader.buffer[start:end]
            reader.pointer, reader.index = end, reader.index + len(body)
            reader.column += len(body) - body.count("\ufeff")
            comment = "#" + body
            ending = reader.buffer[end]
            if ending == "\0":  # YAML processors end the stream with a line break
                comment += "\n"
            else:
                comment += ending
                reader.forward()
            ch = self.scan_line_break()
            while ch:  # blank lines after the comment
                comment += ch
                ch = self.scan_line_break()
            if not self.flow_level:
                self.allow_simple_key = True
            return comment, start_mark, reader.get_mark()

        def _dlint_slow_comment(self, start_mark):
            srp, srf = self.reader.peek, self.reader.forward
            comment, ch = "#", "#"
            while ch not in "\n\0\r\x85\u2028\u2029":
                ch = srp()
                if ch == "\0":
                    comment += "\n"
                    break
                comment += ch
                srf()
            ch = self.scan_line_break()
            while ch:
                comment += ch
                ch = self.scan_line_break()
            if not self.flow_level:
                self.allow_simple_key = True
            return comment, start_mark, self.reader.get_mark()

        def _dlint_after_break(self):
            """ruamel.yaml's handling after a line break: empty top-level lines are a comment."""
            reader = self.reader
            if not self.flow_level:
                self.allow_simple_key = True
            if reader.peek() != "\n":
                return None
            start_mark = reader.get_mark()
            comment, ch = "", "\n"
            while ch:
                ch = self.scan_line_break(empty_line=True)
                comment += ch
            if reader.peek() == "#":
                comment = comment.rsplit("\n", 1)[0] + "\n"
            return comment, start_mark, reader.get_mark()

    return LinearCommentScanner
