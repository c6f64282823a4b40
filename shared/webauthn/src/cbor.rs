//! A minimal, strict, bounded CBOR (RFC 8949) reader for exactly what WebAuthn carries: the
//! attestation object, COSE keys and authenticator extension outputs.
//!
//! Why our own: the subset is small (unsigned/negative integers, byte and text strings,
//! arrays, maps, `false`/`true`/`null`), a reader for it is ~230 lines, zero-copy (it
//! allocates only the short key lists that refuse duplicate map keys), and it is smaller
//! than the general decoders (figures in the crate docs).
//!
//! Security considerations:
//! - Zero-copy over a borrowed slice: a length is checked against the bytes that remain
//!   before anything is sliced, so a huge declared length costs nothing and fails.
//! - Refused: indefinite lengths, reserved additional-information values, tags, floats and
//!   other simple values, text that is not UTF-8, nesting deeper than [`MAX_DEPTH`], more
//!   than [`MAX_ITEMS`] items in one read, duplicate map keys (where maps are read as
//!   maps), and trailing bytes after a top-level item ([`Reader::finish`]).
//! - Non-shortest heads (e.g. a length of 5 in two bytes) are accepted: CTAP2 asks
//!   authenticators for canonical CBOR but clients re-encode, values are compared after
//!   decoding, and integrity comes from signatures over the raw bytes, not from the form.
//! - Every step returns a `Result`; nothing panics, indexes or recurses without a bound.

/// Deepest nesting accepted (an extension output inside the extensions map is depth 2;
/// `devicePubKey`-style outputs reach 3).
pub const MAX_DEPTH: usize = 8;
/// Most data items read (including skipped ones) from one input.
pub const MAX_ITEMS: usize = 512;

/// Why a CBOR input was refused (static, for errors and fuzzing).
pub(crate) type CborError = &'static str;

/// A decoded item head: major type and argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Head {
    Unsigned(u64),
    /// A negative integer `-1 - n`, kept as `n` so no value overflows.
    Negative(u64),
    Bytes(usize),
    Text(usize),
    Array(usize),
    Map(usize),
    False,
    True,
    Null,
}

/// A map key as WebAuthn uses them: small integers (COSE labels) or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key<'a> {
    Int(i64),
    Text(&'a str),
}

/// A cursor over one CBOR input.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    items: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            items: 0,
        }
    }

    /// Bytes consumed so far.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// Fails unless every byte was consumed (no trailing data).
    pub(crate) fn finish(&self) -> Result<(), CborError> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err("trailing bytes after the CBOR item")
        }
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        let byte = *self.data.get(self.pos).ok_or("truncated CBOR")?;
        self.pos += 1;
        Ok(byte)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], CborError> {
        let end = self.pos.checked_add(len).ok_or("CBOR length overflow")?;
        let slice = self.data.get(self.pos..end).ok_or("truncated CBOR")?;
        self.pos = end;
        Ok(slice)
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Reads the head of the next item (counting it against [`MAX_ITEMS`]).
    pub(crate) fn head(&mut self) -> Result<Head, CborError> {
        self.items += 1;
        if self.items > MAX_ITEMS {
            return Err("too many CBOR items");
        }
        let initial = self.byte()?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        let argument = match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(self.array()?)),
            26 => u64::from(u32::from_be_bytes(self.array()?)),
            27 => u64::from_be_bytes(self.array()?),
            31 => return Err("indefinite-length CBOR is not accepted"),
            _ => return Err("reserved CBOR additional information"),
        };
        // A declared length or count can never exceed what is left: every byte of a string
        // and every element of an array or map takes at least one byte.
        let bounded = |argument: u64, per_item: usize| -> Result<usize, CborError> {
            let len = usize::try_from(argument).map_err(|_| "CBOR length too large")?;
            if len > self.remaining() / per_item {
                return Err("CBOR length exceeds the input");
            }
            Ok(len)
        };
        Ok(match major {
            0 => Head::Unsigned(argument),
            1 => Head::Negative(argument),
            2 => Head::Bytes(bounded(argument, 1)?),
            3 => Head::Text(bounded(argument, 1)?),
            4 => Head::Array(bounded(argument, 1)?),
            5 => Head::Map(bounded(argument, 2)?),
            6 => return Err("CBOR tags are not accepted"),
            _ => match info {
                20 => Head::False,
                21 => Head::True,
                22 => Head::Null,
                _ => return Err("CBOR floats and simple values are not accepted"),
            },
        })
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CborError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// The next item, which must be a byte string.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], CborError> {
        match self.head()? {
            Head::Bytes(len) => self.take(len),
            _ => Err("expected a CBOR byte string"),
        }
    }

    /// The next item, which must be a UTF-8 text string.
    pub(crate) fn text(&mut self) -> Result<&'a str, CborError> {
        match self.head()? {
            Head::Text(len) => self.text_of(len),
            _ => Err("expected a CBOR text string"),
        }
    }

    fn text_of(&mut self, len: usize) -> Result<&'a str, CborError> {
        core::str::from_utf8(self.take(len)?).map_err(|_| "CBOR text is not UTF-8")
    }

    /// The next item, which must be an integer that fits an `i64`.
    pub(crate) fn int(&mut self) -> Result<i64, CborError> {
        let head = self.head()?;
        int_of(head)
    }

    /// The next item, which must be a map; returns its number of entries.
    pub(crate) fn map(&mut self) -> Result<usize, CborError> {
        match self.head()? {
            Head::Map(len) => Ok(len),
            _ => Err("expected a CBOR map"),
        }
    }

    /// The next map key: an integer or a text string.
    pub(crate) fn key(&mut self) -> Result<Key<'a>, CborError> {
        match self.head()? {
            Head::Text(len) => Ok(Key::Text(self.text_of(len)?)),
            head @ (Head::Unsigned(_) | Head::Negative(_)) => Ok(Key::Int(int_of(head)?)),
            _ => Err("CBOR map keys must be integers or text"),
        }
    }

    /// Skips one complete item (checking it is well-formed and within the limits),
    /// returning the raw bytes it occupied.
    pub(crate) fn skip(&mut self) -> Result<&'a [u8], CborError> {
        let start = self.pos;
        self.skip_at(1)?;
        self.data.get(start..self.pos).ok_or("truncated CBOR")
    }

    fn skip_at(&mut self, depth: usize) -> Result<(), CborError> {
        if depth > MAX_DEPTH {
            return Err("CBOR nested too deeply");
        }
        match self.head()? {
            Head::Bytes(len) => self.take(len).map(|_| ()),
            Head::Text(len) => self.text_of(len).map(|_| ()),
            Head::Array(len) => (0..len).try_for_each(|_| self.skip_at(depth + 1)),
            Head::Map(len) => {
                let mut seen = KeySet::default();
                for _ in 0..len {
                    // Keys of nested maps may be any item; only scalar ones are compared.
                    let key_start = self.pos;
                    self.skip_at(depth + 1)?;
                    seen.insert(self.data.get(key_start..self.pos).unwrap_or_default())?;
                    self.skip_at(depth + 1)?;
                }
                Ok(())
            }
            Head::Unsigned(_) | Head::Negative(_) | Head::False | Head::True | Head::Null => Ok(()),
        }
    }
}

fn int_of(head: Head) -> Result<i64, CborError> {
    match head {
        Head::Unsigned(n) => i64::try_from(n).map_err(|_| "CBOR integer out of range"),
        Head::Negative(n) => i64::try_from(n)
            .map(|n| -1 - n)
            .map_err(|_| "CBOR integer out of range"),
        _ => Err("expected a CBOR integer"),
    }
}

/// Raw encodings of the keys seen in one skipped map, to refuse duplicates. Bounded by
/// [`MAX_ITEMS`] through the reader; compared by encoding, which for the skipped (not
/// interpreted) maps is enough to refuse the ambiguous case of a byte-identical key.
#[derive(Default)]
struct KeySet<'a> {
    keys: alloc::vec::Vec<&'a [u8]>,
}

impl<'a> KeySet<'a> {
    fn insert(&mut self, key: &'a [u8]) -> Result<(), CborError> {
        if self.keys.contains(&key) {
            return Err("duplicate CBOR map key");
        }
        self.keys.push(key);
        Ok(())
    }
}

/// Tracks the keys of a map that is interpreted (attestation object, COSE key), so a
/// repeated key is refused whatever its encoding.
#[derive(Debug, Default)]
pub(crate) struct SeenKeys<'a> {
    keys: alloc::vec::Vec<Key<'a>>,
}

impl<'a> SeenKeys<'a> {
    pub(crate) fn insert(&mut self, key: Key<'a>) -> Result<(), CborError> {
        if self.keys.contains(&key) {
            return Err("duplicate CBOR map key");
        }
        self.keys.push(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
