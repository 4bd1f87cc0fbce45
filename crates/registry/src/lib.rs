//! OCI distribution registry client: tag listing, auth, digests (I/O, layer 1)
//!
//! (Work in progress: this crate is a placeholder until its issue lands.)
