//! Timing several bodies in alternation, for the paired runners (`connection_paired`,
//! `item_cost`; `paired` shares the round length and the median): rounds of about half a millisecond each, the body that goes first turning
//! each round, so that a slow spell of a shared machine hits every body alike.

use std::hint::black_box;
use std::time::Instant;

/// How long one timed round of a body lasts, about: long enough that reading the clock is
/// noise, short enough that a slow spell of the machine spans many rounds.
pub const ROUND_NANOS: f64 = 500_000.0;

/// A body to time: it does its work once and returns a count that keeps it from being
/// optimised away.
pub type Body<'a> = Box<dyn FnMut() -> usize + 'a>;

/// The median of `samples` (reordered).
pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times `bodies` in alternation for `rounds` rounds. `messages[i]` is what one call of body
/// `i` handles. Returns the median ns per message of each body and, for each, the median over
/// the rounds of its time divided by the first body's in the same round.
pub fn alternated<const N: usize>(
    mut bodies: [Body<'_>; N],
    messages: [usize; N],
    rounds: usize,
) -> ([f64; N], [f64; N]) {
    let calls = bodies.each_mut().map(|body| {
        let start = Instant::now();
        for _ in 0..100 {
            black_box(body());
        }
        let per_call = start.elapsed().as_nanos() as f64 / 100.0;
        ((ROUND_NANOS / per_call.max(1.0)) as usize).max(1)
    });
    let mut samples: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    let mut ratios: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    for round in 0..rounds {
        let mut times = [0.0; N];
        for k in 0..N {
            let i = (round + k) % N;
            let start = Instant::now();
            for _ in 0..calls[i] {
                black_box(bodies[i]());
            }
            times[i] = start.elapsed().as_nanos() as f64 / (calls[i] * messages[i]) as f64;
        }
        for i in 0..N {
            samples[i].push(times[i]);
            ratios[i].push(times[i] / times[0]);
        }
    }
    (samples.map(|mut s| median(&mut s)), ratios.map(|mut r| median(&mut r)))
}
