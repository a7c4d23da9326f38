//! Bounds-checked reads of fixed-size integers from untrusted bytes: every reader returns
//! `None` past the end instead of panicking.

/// `N` bytes at `at`, or `None` when they are not all there.
pub(crate) fn array<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    let end = at.checked_add(N)?;
    buf.get(at..end)?.try_into().ok()
}

/// A big-endian `u16` at `at`.
pub(crate) fn be_u16(buf: &[u8], at: usize) -> Option<u16> {
    array(buf, at).map(u16::from_be_bytes)
}

/// A big-endian `u32` at `at`.
pub(crate) fn be_u32(buf: &[u8], at: usize) -> Option<u32> {
    array(buf, at).map(u32::from_be_bytes)
}

/// A big-endian `u64` at `at`.
pub(crate) fn be_u64(buf: &[u8], at: usize) -> Option<u64> {
    array(buf, at).map(u64::from_be_bytes)
}

/// A little-endian `u16` at `at`.
pub(crate) fn le_u16(buf: &[u8], at: usize) -> Option<u16> {
    array(buf, at).map(u16::from_le_bytes)
}

/// A little-endian `u32` at `at`.
pub(crate) fn le_u32(buf: &[u8], at: usize) -> Option<u32> {
    array(buf, at).map(u32::from_le_bytes)
}

/// A little-endian 24-bit unsigned integer at `at`.
pub(crate) fn le_u24(buf: &[u8], at: usize) -> Option<u32> {
    let [a, b, c] = array::<3>(buf, at)?;
    Some(u32::from_le_bytes([a, b, c, 0]))
}

/// The bytes `at..at + len`, when all are there.
pub(crate) fn slice(buf: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    buf.get(at..at.checked_add(len)?)
}

/// A length or offset read from a file, as `usize`; `None` when it does not fit.
pub(crate) fn to_usize(n: impl TryInto<usize>) -> Option<usize> {
    n.try_into().ok()
}

/// One ISO base media file format box: its four-character type and its body (truncated to
/// what `buf` holds when the box runs past the end).
pub(crate) struct IsoBox<'a> {
    /// The box type, e.g. `ftyp`.
    pub(crate) kind: [u8; 4],
    /// The bytes after the box header.
    pub(crate) body: &'a [u8],
}

/// The boxes laid one after another in `buf` (the top level of an ISO-BMFF file, or the
/// children of a container box). Stops at the first malformed header.
pub(crate) fn iso_boxes(buf: &[u8]) -> impl Iterator<Item = IsoBox<'_>> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let size = be_u32(rest, 0)?;
        let kind = array::<4>(rest, 4)?;
        let (header, size) = match size {
            0 => (8, rest.len()),
            1 => (16, to_usize(be_u64(rest, 8)?)?),
            n => (8, to_usize(n)?),
        };
        if size < header {
            rest = &[];
            return None;
        }
        let end = size.min(rest.len());
        let body = rest.get(header..end).unwrap_or_default();
        rest = rest.get(end..).unwrap_or_default();
        Some(IsoBox { kind, body })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_stop_at_the_end() {
        let buf = [1, 2, 3, 4, 5];
        assert_eq!(be_u16(&buf, 0), Some(0x0102));
        assert_eq!(le_u16(&buf, 3), Some(0x0504));
        assert_eq!(be_u16(&buf, 4), None);
        assert_eq!(be_u32(&buf, 1), Some(0x0203_0405));
        assert_eq!(le_u32(&buf, 2), None);
        assert_eq!(le_u24(&buf, 0), Some(0x03_0201));
        assert_eq!(be_u64(&buf, 0), None);
        assert_eq!(slice(&buf, usize::MAX, 2), None);
        assert_eq!(array::<2>(&buf, usize::MAX), None);
    }

    #[test]
    fn boxes_are_walked_and_truncated_safely() {
        let mut buf = Vec::new();
        buf.extend_from_slice(&[0, 0, 0, 12]);
        buf.extend_from_slice(b"ftypisom");
        buf.extend_from_slice(&[0, 0, 0, 100]);
        buf.extend_from_slice(b"mdatabc");
        let boxes: Vec<_> = iso_boxes(&buf).collect();
        assert_eq!(boxes.len(), 2);
        assert_eq!(&boxes[0].kind, b"ftyp");
        assert_eq!(boxes[0].body, b"isom");
        assert_eq!(&boxes[1].kind, b"mdat");
        assert_eq!(boxes[1].body, b"abc");
        // A size smaller than its own header ends the walk.
        assert_eq!(iso_boxes(&[0, 0, 0, 3, b'a', b'b', b'c', b'd']).count(), 0);
    }
}
