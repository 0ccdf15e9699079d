package procedure

// SnapshotHits is how many loads the snapshot served.
func (l *Loader) SnapshotHits() int64 { return l.snapshotHits.Load() }

// SnapshotHits is how many loads the snapshot served.
func (w *Watcher) SnapshotHits() int64 { return w.loader.SnapshotHits() }
