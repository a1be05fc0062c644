//! Numbers written as System.Text.Json writes them.
//!
//! Integers are plain decimal. Floating-point numbers use the shortest text that round-trips
//! (as .NET Core 3.0+ does), laid out by .NET's "general" rules: fixed-point unless the decimal
//! exponent is below -5 or reaches the number of significant digits shown (at least 15 for
//! `f64`, 7 for `f32`), scientific otherwise with an upper-case `E`, a sign and at least two
//! exponent digits. So `2.0` is written `2`, `1e15` `1E+15`, `0.00001` `1E-05`, `-0.0` `-0`.

use signalr_codec_core::Output;

/// A small stack buffer for formatting.
struct Buf {
    bytes: [u8; 64],
    len: usize,
}

impl Buf {
    const fn new() -> Self {
        Buf { bytes: [0; 64], len: 0 }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn push(&mut self, b: u8) {
        if self.len < self.bytes.len() {
            self.bytes[self.len] = b;
            self.len += 1;
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.push(b);
        }
    }
}

pub(crate) use signalr_codec_core::json::{i64_len, write_i64, write_u64};

/// Writes an unsigned 128-bit integer in decimal (64-bit values take the cheaper path).
pub(crate) fn write_u128<O: Output + ?Sized>(mut v: u128, out: &mut O) {
    if let Ok(small) = u64::try_from(v) {
        return write_u64(small, out);
    }
    let mut digits = [0u8; 40];
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

/// Writes a signed 128-bit integer in decimal.
pub(crate) fn write_i128<O: Output + ?Sized>(v: i128, out: &mut O) {
    if v < 0 {
        out.put(b"-");
    }
    write_u128(v.unsigned_abs(), out);
}

/// Writes a finite `f64` as .NET does (see the module docs).
pub(crate) fn write_f64<O: Output + ?Sized>(v: f64, out: &mut O) {
    // zmij gives the shortest round-tripping digits (serde_json's formatter: several times
    // faster than `{:e}`), in its own layout: `0.99`, `2.0`, `1e-7`, `1.5e+300`.
    write_shortest(zmij::Buffer::new().format_finite(v).as_bytes(), 15, out);
}

/// Writes a finite `f32` as .NET does (see the module docs).
pub(crate) fn write_f32<O: Output + ?Sized>(v: f32, out: &mut O) {
    write_shortest(zmij::Buffer::new().format_finite(v).as_bytes(), 7, out);
}

/// Lays out zmij's shortest text by .NET's general-format rules, `precision` digits at least
/// before it turns scientific.
fn write_shortest<O: Output + ?Sized>(text: &[u8], precision: usize, out: &mut O) {
    let unsigned = text.strip_prefix(b"-").unwrap_or(text);
    if !unsigned.contains(&b'e') && !unsigned.starts_with(b"0.0000") {
        // Fixed-point text is .NET's as it stands, but for a `.0` ending (`2.0` is `2`) and
        // integers too long for the precision (`1E+15`).
        match text.strip_suffix(b".0") {
            None => return out.put(text),
            Some(integer) if unsigned.len() - 2 <= precision => return out.put(integer),
            Some(_) => {}
        }
    }
    let (negative, digits, exp) = decompose(text);
    out.put(dotnet_layout(negative, digits.as_bytes(), exp, precision).as_bytes());
}

/// Splits shortest text (fixed or scientific) into its sign, its significant digits (no
/// leading or trailing zeros) and the decimal exponent of the first of them.
fn decompose(text: &[u8]) -> (bool, Buf, i32) {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let (mantissa, exponent) = (&text[..e_at], text.get(e_at + 1..).unwrap_or(&[]));
    let mut exp: i32 = 0;
    let (exp_negative, exp_digits) = match exponent.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, exponent),
    };
    for &b in exp_digits {
        exp = exp.saturating_mul(10).saturating_add(i32::from(b.wrapping_sub(b'0')));
    }
    if exp_negative {
        exp = -exp;
    }
    // The mantissa's digits before the point, less one, move the exponent up; leading zeros
    // (after the point) move it down.
    let point = mantissa.iter().position(|&b| b == b'.').unwrap_or(mantissa.len());
    exp = exp.saturating_add(point as i32 - 1);
    let mut digits = Buf::new();
    for &b in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        if digits.len == 0 && b == b'0' {
            exp -= 1;
        } else {
            digits.push(b);
        }
    }
    while digits.len > 0 && digits.bytes[digits.len - 1] == b'0' {
        digits.len -= 1;
    }
    (negative, digits, exp)
}

/// Lays out significant digits `d1d2…` × 10^(`exp` − count + 1) by .NET's general-format rules.
fn dotnet_layout(negative: bool, digits: &[u8], exp: i32, precision: usize) -> Buf {
    let mut out = Buf::new();
    if negative {
        out.push(b'-');
    }
    if digits.is_empty() {
        out.push(b'0');
        return out;
    }
    let count = digits.len();
    // .NET's "scale": the value is 0.d1d2… × 10^scale.
    let scale = exp + 1;
    if scale > precision.max(count) as i32 || scale < -3 {
        out.push(digits[0]);
        if count > 1 {
            out.push(b'.');
            out.extend(&digits[1..]);
        }
        out.push(b'E');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let magnitude = exp.unsigned_abs();
        if magnitude < 10 {
            out.push(b'0');
        }
        if magnitude >= 100 {
            out.push(b'0' + (magnitude / 100) as u8);
        }
        if magnitude >= 10 {
            out.push(b'0' + (magnitude / 10 % 10) as u8);
        }
        out.push(b'0' + (magnitude % 10) as u8);
    } else if scale <= 0 {
        out.extend(b"0.");
        for _ in 0..-scale {
            out.push(b'0');
        }
        out.extend(digits);
    } else {
        let scale = scale as usize;
        if scale >= count {
            out.extend(digits);
            for _ in count..scale {
                out.push(b'0');
            }
        } else {
            out.extend(&digits[..scale]);
            out.push(b'.');
            out.extend(&digits[scale..]);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // values from the .NET tests
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn f64s(v: f64) -> String {
        let mut out = Vec::new();
        write_f64(v, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn f32s(v: f32) -> String {
        let mut out = Vec::new();
        write_f32(v, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn doubles_like_dotnet() {
        for (v, s) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (2.0, "2"),
            (-2.5, "-2.5"),
            (6.2831853071, "6.2831853071"),
            (3.14159, "3.14159"),
            (1.1, "1.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.0001, "0.0001"),
            (0.00001, "1E-05"),
            (1.5e-7, "1.5E-07"),
            (123456789012345.0, "123456789012345"),
            (1e15, "1E+15"),
            (1e16, "1E+16"),
            (1234567890123456.7, "1234567890123456.8"),
            (1.2345678901234568e20, "1.2345678901234568E+20"),
            (f64::MAX, "1.7976931348623157E+308"),
            (5e-324, "5E-324"),
            (100.0, "100"),
            (0.99, "0.99"),
            (1234.56, "1234.56"),
            (-0.001, "-0.001"),
            (0.00012, "0.00012"),
            (-0.000012, "-1.2E-05"),
            (123456789012345.6, "123456789012345.6"),
            (1e100, "1E+100"),
            (-1.5e-300, "-1.5E-300"),
            (999999999999999.0, "999999999999999"),
            (1e14, "100000000000000"),
        ] {
            assert_eq!(f64s(v), s, "{v:e}");
        }
    }

    #[test]
    fn singles_like_dotnet() {
        for (v, s) in [
            (2.0f32, "2"),
            (0.1, "0.1"),
            (1234567.0, "1234567"),
            (1e7, "1E+07"),
            (3.4028235e38, "3.4028235E+38"),
            (1.1, "1.1"),
            (-1e-7, "-1E-07"),
            (16777216.0, "16777216"),
        ] {
            assert_eq!(f32s(v), s, "{v:e}");
        }
    }

    #[test]
    fn integers() {
        let mut out = Vec::new();
        write_i64(i64::MIN, &mut out);
        out.push(b' ');
        write_u128(u128::MAX, &mut out);
        out.push(b' ');
        write_i128(-5, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "-9223372036854775808 340282366920938463463374607431768211455 -5");
        assert_eq!(i64_len(i64::MIN), 20);
        assert_eq!(i64_len(0), 1);
        assert_eq!(i64_len(-9), 2);
    }
}
