//! This crate holds tests only (`tests/`): mlpkit's hub client, with the `hub` feature on, and
//! its MNIST loader against `candle-datasets`. They live here because their dependencies
//! (an HTTP client, Parquet, a second Candle) take longer to build than the helper crate and
//! all its other tests together.
