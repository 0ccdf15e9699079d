// Command passerelle is a kiosk that guides people who cannot read through
// online administrative procedures, by pictograms and voice, and the hub
// its kiosks send their events to and get their catalog from.
//
//	passerelle [kiosk] [-catalog DIR]   open the kiosk (the default)
//	passerelle validate [DIR]           check a catalog of procedures
//	passerelle hub -listen 127.0.0.1:8750 -db hub.db -catalog DIR [-tls-cert F -tls-key F]
//	passerelle hub enroll -db hub.db NAME
//	passerelle hub revoke -db hub.db NAME
//	passerelle hub migrate -db hub.db
//	passerelle join -db kiosk.db -hub URL -token TOKEN
//	passerelle sync -once -db kiosk.db
//	passerelle simulate -db kiosk.db -sessions N [-seed S] [-catalog DIR]
//	passerelle stats -db FILE [-json]
//
// A hub's -db is a SQLite file, or a PostgreSQL connection string
// (postgres://user@host/dbname or "host=... dbname=..."), for a network of
// several hubs sharing one database.
//
// SIGTERM and SIGINT stop the kiosk and the hub cleanly. With
// PASSERELLE_HEAP_PROFILE=DIR, SIGUSR1 writes a heap profile into DIR;
// PASSERELLE_CPU_PROFILE=FILE profiles the whole run (app/cli/profile.go).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"passerelle/app/cli"
)

func main() {
	stopProfile := cli.ProfileFromEnv()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	stopProfile()
	os.Exit(code)
}
