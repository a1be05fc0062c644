#![no_main]
signalr_codec_fuzz::target!(signalr_codec_fuzzing::connection::connection);
