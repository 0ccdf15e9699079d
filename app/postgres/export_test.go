package postgres

import "time"

// SetPartitionLockTimeout shortens the wait of a partition's creation for
// a test, and returns how to put it back.
func SetPartitionLockTimeout(d time.Duration) (restore func()) {
	before := partitionLockTimeout
	partitionLockTimeout = d
	return func() { partitionLockTimeout = before }
}
