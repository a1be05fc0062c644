//! The memory routines, a byte at a time, in place of compiler-builtins' (weak symbols, so these
//! are the ones linked): theirs copy a word at a time with alignment cases, about 3 KB of flash
//! for a device whose largest copy is a 128-byte buffer.
//!
//! The loops read and write through volatile accesses so that the compiler does not recognise
//! them as a copy and call `memcpy` from inside `memcpy`.

use core::ptr::{read_volatile, write_volatile};

/// Copies `n` bytes from `src` to `dest`, lowest address first.
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes; when they overlap, `dest` must not be
/// above `src`.
unsafe fn forward(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n`, within both ranges (the caller's contract).
        unsafe { write_volatile(dest.add(i), read_volatile(src.add(i))) };
        i += 1;
    }
}

/// Copies `n` bytes from `src` to `dest`, highest address first (for `dest` above `src`).
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes.
unsafe fn backward(dest: *mut u8, src: *const u8, n: usize) {
    let mut i = n;
    while i > 0 {
        i -= 1;
        // SAFETY: `i < n`, within both ranges (the caller's contract).
        unsafe { write_volatile(dest.add(i), read_volatile(src.add(i))) };
    }
}

/// Sets `n` bytes at `dest` to `value`.
///
/// # Safety
/// `dest` writable for `n` bytes.
unsafe fn fill(dest: *mut u8, value: u8, n: usize) {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n`, within the range (the caller's contract).
        unsafe { write_volatile(dest.add(i), value) };
        i += 1;
    }
}

/// Copies `n` bytes from `src` to `dest`, which may overlap. (`memmove` calls it too: a call to
/// a function named `memmove` is compiled as the compiler's own `memmove`, here itself.)
///
/// # Safety
/// `src` readable and `dest` writable for `n` bytes.
unsafe fn move_bytes(dest: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's contract; the direction keeps an overlap intact.
    unsafe {
        if (dest as usize) <= (src as usize) {
            forward(dest, src, n);
        } else {
            backward(dest, src, n);
        }
    }
}

/// C's `memcpy`.
///
/// # Safety
/// As C's: `src` readable and `dest` writable for `n` bytes, not overlapping.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract.
    unsafe { forward(dest, src, n) };
    dest
}

/// C's `memmove`.
///
/// # Safety
/// As C's: `src` readable and `dest` writable for `n` bytes; they may overlap.
#[no_mangle]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract.
    unsafe { move_bytes(dest, src, n) };
    dest
}

/// C's `memset`.
///
/// # Safety
/// As C's: `dest` writable for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(dest: *mut u8, value: i32, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract. C converts the value to `unsigned char`.
    unsafe { fill(dest, value as u8, n) };
    dest
}

/// The ARM EABI's names for the same routines (the `4`/`8` forms promise aligned pointers,
/// which a byte loop does not need). `memset`'s EABI form takes the length before the value.
macro_rules! aeabi {
    ($($copy:ident),* ; $($moves:ident),* ; $($set:ident),* ; $($clear:ident),*) => {
        $(
            /// EABI `memcpy`.
            ///
            /// # Safety
            /// As `memcpy`.
            #[no_mangle]
            pub unsafe extern "aapcs" fn $copy(dest: *mut u8, src: *const u8, n: usize) {
                // SAFETY: the caller's contract.
                unsafe { forward(dest, src, n) };
            }
        )*
        $(
            /// EABI `memmove`.
            ///
            /// # Safety
            /// As `memmove`.
            #[no_mangle]
            pub unsafe extern "aapcs" fn $moves(dest: *mut u8, src: *const u8, n: usize) {
                // SAFETY: the caller's contract.
                unsafe { move_bytes(dest, src, n) };
            }
        )*
        $(
            /// EABI `memset` (length before value).
            ///
            /// # Safety
            /// As `memset`.
            #[no_mangle]
            pub unsafe extern "aapcs" fn $set(dest: *mut u8, n: usize, value: i32) {
                // SAFETY: the caller's contract.
                unsafe { fill(dest, value as u8, n) };
            }
        )*
        $(
            /// EABI: `n` zero bytes at `dest`.
            ///
            /// # Safety
            /// As `memset`.
            #[no_mangle]
            pub unsafe extern "aapcs" fn $clear(dest: *mut u8, n: usize) {
                // SAFETY: the caller's contract.
                unsafe { fill(dest, 0, n) };
            }
        )*
    };
}

aeabi!(
    __aeabi_memcpy, __aeabi_memcpy4, __aeabi_memcpy8;
    __aeabi_memmove, __aeabi_memmove4, __aeabi_memmove8;
    __aeabi_memset, __aeabi_memset4, __aeabi_memset8;
    __aeabi_memclr, __aeabi_memclr4, __aeabi_memclr8
);
