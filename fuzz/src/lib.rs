//! Shared by every fuzz target: the table of targets and their entry points (which live in the
//! `signalr-codec-fuzzing` crate, `../fuzzing`), and a global allocator that fails the run when
//! any single allocation is larger than the codec's limits could ever justify — an attacker's
//! length field must never size an allocation.

use std::alloc::{GlobalAlloc, Layout, System};

/// Every target (its name and entry point) and the entry point of a target by name: the
/// cargo-fuzz binaries and the AFL++ binary run the same table.
pub use signalr_codec_fuzzing::{entry, TARGETS};

/// No input under the default limits (32 KiB messages) needs more than this in one allocation;
/// the targets' own bookkeeping (copies of at most the whole input) stays far below it too.
pub const MAX_ALLOCATION: usize = 4 * 1024 * 1024;

/// The system allocator, refusing (by aborting the run) any allocation over [`MAX_ALLOCATION`].
pub struct BoundedAllocator;

unsafe impl GlobalAlloc for BoundedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

fn check(size: usize) {
    if size > MAX_ALLOCATION {
        // Not a panic: unwinding out of an allocator is not allowed.
        eprintln!("allocation of {size} bytes exceeds the {MAX_ALLOCATION}-byte bound");
        std::process::abort();
    }
}

/// Declares the bounded allocator and a fuzz target calling `$entry` with the input.
#[cfg(feature = "libfuzzer")]
#[macro_export]
macro_rules! target {
    ($entry:path) => {
        #[global_allocator]
        static ALLOCATOR: $crate::BoundedAllocator = $crate::BoundedAllocator;
        $crate::libfuzzer_sys::fuzz_target!(|data: &[u8]| $entry(data));
    };
}

#[cfg(feature = "libfuzzer")]
#[doc(hidden)]
pub use libfuzzer_sys;
