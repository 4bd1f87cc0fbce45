//! Flux image update automation without a cluster (layer 3). Work in progress.
