package hubapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"passerelle/app/passerelle"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key,
// as staff make one for a hub without a public name.
func writeCert(t *testing.T) (certFile, keyFile string, certPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hub"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "hub.crt"), filepath.Join(dir, "hub.key")
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, certPEM
}

// TestSyncOverTLS: a hub serving HTTPS from certificate files; a kiosk
// trusting the hub's certificate joins and syncs, one that does not is
// refused the connection.
func TestSyncOverTLS(t *testing.T) {
	certFile, keyFile, certPEM := writeCert(t)
	store := openHubStore(t, filepath.Join(t.TempDir(), "hub.db"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- Serve(ctx, ServeConfig{Listener: ln, TLSCert: certFile, TLSKey: keyFile,
			Handler: (&Server{Store: store}).Handler()})
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	url := "https://" + ln.Addr().String()

	token, err := Enroll(ctx, store, "mairie-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Join(ctx, url, token, nil); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("join without trusting the hub's certificate = %v, want the connection refused", err)
	}
	if _, err := Join(ctx, "http://"+ln.Addr().String(), token, nil); err == nil {
		t.Fatal("join in plain HTTP to a TLS hub succeeded")
	}
	link, err := Join(ctx, url, token, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	kiosk, dir := newKiosk(t)
	if err := kiosk.SaveHubLink(ctx, link); err != nil {
		t.Fatal(err)
	}
	ids := appendSessions(t, kiosk, 5, 10)
	if err := (&Syncer{Outbox: kiosk, DataDir: dir}).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	assertHubHolds(t, store, "mairie-1", ids)
}

func TestServeRefusesHalfATLSConfiguration(t *testing.T) {
	certFile, keyFile, _ := writeCert(t)
	for _, c := range []ServeConfig{
		{Addr: "127.0.0.1:0", TLSCert: certFile},
		{Addr: "127.0.0.1:0", TLSKey: keyFile},
		{Addr: "127.0.0.1:0", TLSCert: keyFile, TLSKey: certFile},
		{Addr: "127.0.0.1:0", TLSCert: certFile, TLSKey: filepath.Join(t.TempDir(), "missing.key")},
	} {
		if err := Serve(context.Background(), c); err == nil {
			t.Fatalf("Serve(%+v) served", c)
		}
	}
}

// TestSyncErrorsSayWhatIsWrong: each failure a kiosk meets gives staff one
// sentence telling it apart from the others.
func TestSyncErrorsSayWhatIsWrong(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	for _, c := range []struct {
		name string
		link func(t *testing.T, hub *testHub, kiosk kioskDB) passerelle.HubLink
		is   error
		says string
	}{
		{"hub down", func(t *testing.T, hub *testHub, kiosk kioskDB) passerelle.HubLink {
			return passerelle.HubLink{URL: down, Kiosk: "mairie-1", Credential: newSecret()}
		}, ErrUnreachable, "the hub cannot be reached at " + down},
		{"credential unknown to the hub", func(t *testing.T, hub *testHub, kiosk kioskDB) passerelle.HubLink {
			return passerelle.HubLink{URL: hub.URL, Kiosk: "mairie-1", Credential: newSecret()}
		}, passerelle.ErrUnauthorized, "the hub refused this kiosk's credential"},
		{"revoked", func(t *testing.T, hub *testHub, kiosk kioskDB) passerelle.HubLink {
			link := join(t, hub.Store, kiosk, "mairie-1", hub.URL)
			if err := hub.Store.RevokeKiosk(context.Background(), "mairie-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			return link
		}, passerelle.ErrRevoked, "the hub refused this kiosk's credential (revoked: ask staff to enroll it again)"},
		{"not joined", nil, passerelle.ErrNotFound, "this kiosk has not joined a hub"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hub := newHub(t)
			kiosk, dir := newKiosk(t)
			if c.link != nil {
				if err := kiosk.SaveHubLink(context.Background(), c.link(t, hub, kiosk)); err != nil {
					t.Fatal(err)
				}
			}
			err := (&Syncer{Outbox: kiosk, DataDir: dir}).SyncOnce(context.Background())
			if !errors.Is(err, c.is) || !strings.HasPrefix(err.Error(), c.says) {
				t.Fatalf("SyncOnce = %v, want %q", err, c.says)
			}
		})
	}
}
