// Package bundle turns a catalog folder into one archive and back, the way
// catalogs travel from the hub to kiosks: Pack on the hub, then Unpack into
// a staging folder, the validator, and an atomic swap on the kiosk
// (Install). A version is named by the hash of its content, which both ends
// compute the same way from the files.
package bundle
