//! Amazon ECR authorization tokens and registry host recognition (I/O, layer 1)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
