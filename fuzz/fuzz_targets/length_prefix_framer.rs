#![no_main]
signalr_codec_fuzz::target!(signalr_codec_fuzzing::framing::length_prefix_framer);
