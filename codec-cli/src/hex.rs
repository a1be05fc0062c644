//! Hex text ↔ bytes, for `--hex-lines` input and hex output.

/// Lowercase hex of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xF)] as char);
    }
    out
}

/// Bytes of a hex string (either case; spaces ignored).
pub fn decode(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", digits.len()));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let value = |d: u8| (d as char).to_digit(16).ok_or_else(|| format!("'{}' is not a hex digit", d as char));
            Ok((value(pair[0])? * 16 + value(pair[1])?) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        assert_eq!(super::encode(&[0x00, 0x1e, 0xff]), "001eff");
        assert_eq!(super::decode("00 1E ff").unwrap(), [0x00, 0x1e, 0xff]);
        assert!(super::decode("abc").is_err());
        assert!(super::decode("zz").is_err());
    }
}
