//! Reading protocol lines with a length cap, so that a client cannot make the server hold an
//! unbounded line in memory.

use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};

/// One line read from the client.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A whole line, without its `\r\n` (or bare `\n`).
    Complete(Vec<u8>),
    /// A line longer than the cap (counting its line end); its bytes were read and dropped.
    TooLong,
    /// The client closed the connection (a last line without a line end is dropped).
    Eof,
}

/// Reads lines of at most `max` bytes, line end included.
pub(crate) struct LineReader<R> {
    inner: BufReader<R>,
    max: usize,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub(crate) fn new(inner: R, max: usize) -> Self {
        Self {
            inner: BufReader::new(inner),
            max,
        }
    }

    /// Reads the next line. Not cancel safe: after a cancelled call the stream position is
    /// unspecified (the caller closes the connection then).
    pub(crate) async fn next_line(&mut self) -> std::io::Result<Line> {
        let mut line = Vec::new();
        let mut too_long = false;
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                return Ok(Line::Eof);
            }
            let (take, ends_line) = match available.iter().position(|&byte| byte == b'\n') {
                Some(newline) => (newline.saturating_add(1), true),
                None => (available.len(), false),
            };
            if !too_long {
                if line.len().saturating_add(take) > self.max {
                    too_long = true;
                    line = Vec::new();
                } else {
                    line.extend_from_slice(available.get(..take).unwrap_or_default());
                }
            }
            self.inner.consume(take);
            if ends_line {
                if too_long {
                    return Ok(Line::TooLong);
                }
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Line::Complete(line));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_and_caps() {
        let input: &[u8] =
            b"HELO a\r\nbare\n\r\nxxxxxxxxxxxxxxxxxxxx\r\nafter\r\n123456\r\nlast-without-end";
        let mut reader = LineReader::new(input, 8);
        assert_eq!(
            reader.next_line().await.unwrap(),
            Line::Complete(b"HELO a".to_vec())
        );
        assert_eq!(
            reader.next_line().await.unwrap(),
            Line::Complete(b"bare".to_vec())
        );
        assert_eq!(
            reader.next_line().await.unwrap(),
            Line::Complete(Vec::new())
        );
        assert_eq!(reader.next_line().await.unwrap(), Line::TooLong);
        assert_eq!(
            reader.next_line().await.unwrap(),
            Line::Complete(b"after".to_vec())
        );
        assert_eq!(
            reader.next_line().await.unwrap(),
            Line::Complete(b"123456".to_vec())
        );
        assert_eq!(reader.next_line().await.unwrap(), Line::Eof);
    }

    #[tokio::test]
    async fn a_long_line_across_many_reads_is_dropped() {
        let mut input = vec![b'x'; 100_000];
        input.extend_from_slice(b"\r\nok\r\n");
        // A small buffer makes the line arrive in many pieces.
        let mut reader = LineReader {
            inner: BufReader::with_capacity(64, input.as_slice()),
            max: 4096,
        };
        assert_eq!(reader.next_line().await.unwrap(), Line::TooLong);
        assert_eq!(
            reader.next_line().await.unwrap(),
            Line::Complete(b"ok".to_vec())
        );
        assert_eq!(reader.next_line().await.unwrap(), Line::Eof);
    }
}
