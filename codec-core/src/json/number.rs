//! Integers as JSON writes them: plain decimal, a `-` for negatives.

use crate::output::Output;

/// Writes `v` in decimal.
///
/// ```
/// let mut out = Vec::new();
/// signalr_codec_core::json::write_u64(18_446_744_073_709_551_615, &mut out);
/// assert_eq!(out, b"18446744073709551615");
/// ```
pub fn write_u64<O: Output + ?Sized>(v: u64, out: &mut O) {
    // Ids, counts and small quantities first, as puts of a known length (copied inline, where
    // a slice of computed length is a call of memcpy). Not on devices: 80 B more code.
    #[cfg(target_pointer_width = "64")]
    {
        if v < 10 {
            return out.put(&[b'0' + v as u8]);
        }
        if v < 100 {
            return out.put(&digit_pair(v as usize));
        }
    }
    let mut digits = [0u8; 20];
    let i = write_digits(v, &mut digits);
    out.put(&digits[i..]);
}

/// The two digits of `n` (below 100).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn digit_pair(n: usize) -> [u8; 2] {
    [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]
}

/// Writes the digits of `v` at the end of `digits`; returns where they start.
///
/// On 64-bit targets two digits a division (each a multiplication by a constant): the digit
/// loop took 36 instructions a number where serde_json's itoa takes about 12.
#[cfg(target_pointer_width = "64")]
#[inline]
fn write_digits(mut v: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    while v >= 100 {
        i -= 2;
        digits[i..i + 2].copy_from_slice(&digit_pair((v % 100) as usize));
        v /= 100;
    }
    if v >= 10 {
        i -= 2;
        digits[i..i + 2].copy_from_slice(&digit_pair(v as usize));
    } else {
        i -= 1;
        digits[i] = b'0' + v as u8;
    }
    i
}

/// Writes the digits of `v` at the end of `digits`; returns where they start.
#[cfg(not(target_pointer_width = "64"))]
fn write_digits(mut v: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    loop {
        i -= 1;
        let (quotient, digit) = div10(v);
        digits[i] = b'0' + digit;
        v = quotient;
        if v == 0 {
            return i;
        }
    }
}

/// `v / 10` and `v % 10`.
///
/// On 64-bit targets, the division (a multiplication by a constant). On 32-bit ones a `u64`
/// division is a library routine of almost 900 bytes (`__aeabi_uldivmod` on Cortex-M, linked
/// even at `opt-level = "z"` for a constant divisor): values that fit 32 bits divide in 32
/// bits, larger ones by shifting and subtracting.
#[inline(always)]
fn div10(v: u64) -> (u64, u8) {
    #[cfg(target_pointer_width = "64")]
    {
        (v / 10, (v % 10) as u8)
    }
    #[cfg(not(target_pointer_width = "64"))]
    {
        match u32::try_from(v) {
            Ok(small) => (u64::from(small / 10), (small % 10) as u8),
            Err(_) => div10_by_shifts(v),
        }
    }
}

/// `v / 10` and `v % 10` by long division in base 2: no `u64` division routine.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline(never)]
fn div10_by_shifts(v: u64) -> (u64, u8) {
    let mut quotient = 0u64;
    let mut remainder = 0u32;
    let mut bit = 64;
    while bit > 0 {
        bit -= 1;
        remainder = (remainder << 1) | ((v >> bit) as u32 & 1);
        quotient <<= 1;
        if remainder >= 10 {
            remainder -= 10;
            quotient |= 1;
        }
    }
    (quotient, remainder as u8)
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
        n = div10(n).0;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_division_matches_the_operator() {
        let edges = [0, 1, 9, 10, 11, 99, 100, u64::from(u32::MAX), u64::from(u32::MAX) + 1, u64::MAX - 1, u64::MAX];
        // And a spread of others (xorshift), across every magnitude.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let spread = (0..2000).map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x >> (i % 64)
        });
        for v in edges.into_iter().chain(spread) {
            assert_eq!(div10_by_shifts(v), (v / 10, (v % 10) as u8), "{v}");
        }
    }

    #[test]
    fn decimals_match_the_formatter_at_every_magnitude() {
        use std::{format, vec::Vec};
        // Each power of ten and its neighbours, where the one-digit, two-digit and pair loops
        // hand over to each other, and both ends.
        let mut values = Vec::from([0, u64::MAX, u64::MAX - 1]);
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            values.extend([power - 1, power, power + 1, next / 2]);
            power = next;
        }
        values.extend([power - 1, power, power + 1]);
        for v in values {
            let mut out = Vec::new();
            write_u64(v, &mut out);
            assert_eq!(out, format!("{v}").into_bytes(), "{v}");
            let negative = -(v.min(i64::MAX as u64) as i64);
            let mut out = Vec::new();
            write_i64(negative, &mut out);
            assert_eq!(out, format!("{negative}").into_bytes());
            assert_eq!(i64_len(negative), out.len());
        }
    }
}
