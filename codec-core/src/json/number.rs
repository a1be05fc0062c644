//! Integers as JSON writes them: plain decimal, a `-` for negatives.

use crate::output::Output;

/// Writes `v` in decimal.
///
/// ```
/// let mut out = Vec::new();
/// signalr_codec_core::json::write_u64(18_446_744_073_709_551_615, &mut out);
/// assert_eq!(out, b"18446744073709551615");
/// ```
pub fn write_u64<O: Output + ?Sized>(mut v: u64, out: &mut O) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.put(&digits[i..]);
}

/// Writes `v` in decimal, with a `-` when negative.
///
/// ```
/// let mut out = Vec::new();
/// signalr_codec_core::json::write_i64(i64::MIN, &mut out);
/// assert_eq!(out, b"-9223372036854775808");
/// assert_eq!(signalr_codec_core::json::i64_len(i64::MIN), out.len());
/// ```
pub fn write_i64<O: Output + ?Sized>(v: i64, out: &mut O) {
    if v < 0 {
        out.put(b"-");
    }
    write_u64(v.unsigned_abs(), out);
}

/// Bytes [`write_i64`] writes for `v`.
pub fn i64_len(v: i64) -> usize {
    let mut n = v.unsigned_abs();
    let mut len = usize::from(v < 0) + 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}
