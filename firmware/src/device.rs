//! What every firmware binary shares: output to the host through semihosting without
//! `core::fmt`, the memory report, the exit, and the panic handler.

use core::panic::PanicInfo;

use cortex_m_semihosting::{debug, hio};

/// Writes to the host's stdout.
pub fn say(bytes: &[u8]) {
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(bytes);
    }
}

/// Writes `n` in decimal (32-bit division only: no u64 division routine is linked for it).
pub fn say_num(mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    say(&digits[i..]);
}

/// Writes `label`, `n` and a newline.
pub fn say_line(label: &[u8], n: u32) {
    say(label);
    say_num(n);
    say(b"\n");
}

/// Reports the server's `Greet` call as bound.
pub fn say_greet(name: &str, times: i32) {
    say(b"invocation: Greet(\"");
    say(name.as_bytes());
    say(b"\", ");
    say_num(times as u32);
    say(b")\n");
}

/// Says how the exchange ended (`Err` names the step that went wrong), reports memory with
/// `report`, and exits QEMU: status 0 when every step matched.
pub fn finish(outcome: Result<(), &'static str>, report: impl FnOnce()) -> ! {
    let status = match outcome {
        Ok(()) => {
            say(b"exchange ok\n");
            debug::EXIT_SUCCESS
        }
        Err(step) => {
            say(b"FAILED at: ");
            say(step.as_bytes());
            say(b"\n");
            debug::EXIT_FAILURE
        }
    };
    report();
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}

extern "C" {
    /// The stack's top (its first push goes below it), from cortex-m-rt's `link.x`.
    static _stack_start: u32;
    /// The stack's bottom: the end of static RAM, from cortex-m-rt's `link.x`.
    static _stack_end: u32;
    /// Static RAM: `.data` and `.bss` lie between these.
    static __sdata: u32;
    static __ebss: u32;
}

/// The value cortex-m-rt's `paint-stack` feature fills the stack with before `main`.
const PAINT: u32 = cortex_m_rt::STACK_PAINT_VALUE;

/// Reports the RAM this run used: the stack's high-water mark (the lowest word no longer
/// holding the paint, from the bottom up), static RAM (`.data` + `.bss`), and the I/O buffers
/// the budget does not count. The connection (`connection` bytes) lives on the stack, so its
/// buffers are in the high-water mark: `ram beyond io buffers` takes them out again.
pub fn report_memory(connection: usize, io_buffers: usize) {
    let top = core::ptr::addr_of!(_stack_start) as usize;
    let bottom = core::ptr::addr_of!(_stack_end) as usize;
    let mut reached = top;
    let mut at = bottom;
    while at < top {
        // SAFETY: `[bottom, top)` is the stack region cortex-m-rt set up; reading it is sound.
        let word = unsafe { core::ptr::read_volatile(at as *const u32) };
        if word != PAINT {
            reached = at;
            break;
        }
        at += 4;
    }
    let stack = (top - reached) as u32;
    let statics = (core::ptr::addr_of!(__ebss) as usize - core::ptr::addr_of!(__sdata) as usize) as u32;
    say(b"connection size: ");
    say_num(connection as u32);
    // Every result that can fail carries one: its size is part of each frame on the way.
    say(b" bytes\nerror size: ");
    say_num(core::mem::size_of::<signalr_codec_core::Error>() as u32);
    say(b" bytes\nio buffers: ");
    say_num(io_buffers as u32);
    say(b" bytes\nstack high-water: ");
    say_num(stack);
    say(b" bytes\nstatic ram: ");
    say_num(statics);
    say(b" bytes\nram beyond io buffers: ");
    say_num(stack + statics - io_buffers as u32);
    say(b" bytes\n");
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    // No message formatting: that would link `core::fmt` for a path that should never run.
    say(b"panic\n");
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
