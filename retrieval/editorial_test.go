package retrieval

import (
	"testing"

	"github.com/livespec/livespec"
)

func TestEditKind(t *testing.T) {
	const para = "## Token expiry\n\nAccess tokens expire after 30 minutes of inactivity. A client must then sign in again.\n"
	tests := []struct {
		name          string
		before, after string
		want          string
	}{
		{"same text", para, para, ""},
		{"addition", "", para, ""},
		{"removal", para, "", ""},
		{"reflowed paragraph", para, "## Token expiry\n\nAccess tokens expire after 30 minutes\nof inactivity.   A client must then sign in again.\n\n", livespec.EditWhitespace},
		{"trailing spaces and blank lines", "# A\n\nText here.  \n", "# A\n\n\nText here.\n", livespec.EditWhitespace},
		{"heading level raised", para, "### Token expiry\n\nAccess tokens expire after 30 minutes of inactivity. A client must then sign in again.\n", livespec.EditHeading},
		{"setext to ATX", "Token expiry\n============\n\nTokens expire.\n", "# Token expiry\n\nTokens expire.\n", livespec.EditHeading},
		{"heading renamed", para, "## Token lifetime\n\nAccess tokens expire after 30 minutes of inactivity. A client must then sign in again.\n", ""},
		{"link target moved", "See [the guide](docs/guide.md) for details.\n", "See [the guide](https://example.com/guide) for details.\n", livespec.EditLinks},
		{"anchor added", "### Info Object\n\nThe object provides metadata.\n", "### <a name=\"infoObject\"></a>Info Object\n\nThe object provides metadata.\n", livespec.EditLinks},
		{"anchor attribute", "## Paths\n\nHolds the paths.\n", "## Paths {#paths-object}\n\nHolds the paths.\n", livespec.EditLinks},
		{"bare URL changed", "Docs live at https://old.example/spec now.\n", "Docs live at https://new.example/spec/v2 now.\n", livespec.EditLinks},
		{"image alt text", "![](logo.png)\n\nThe spec.\n", "![OpenAPI logo](logo.png)\n\nThe spec.\n", livespec.EditLinks},
		{"link text changed", "See [the guide](docs/guide.md).\n", "See [the style manual](docs/guide.md).\n", ""},
		{"typo fixed", "The server will recieve the request and respond.\n", "The server will receive the request and respond.\n", livespec.EditTypo},
		{"two typos", "Teh client sends teh token.\n", "The client sends the token.\n", livespec.EditTypo},
		{"case change", "Use the info object.\n", "Use the Info Object.\n", livespec.EditTypo},
		{"punctuation", "Cards, coupons and vouchers apply.\n", "Cards, coupons, and vouchers apply.\n", livespec.EditTypo},
		{"comma after a keyword", "An optional, string summary.\n", "An optional string summary.\n", livespec.EditTypo},
		{"keyword capitalised", "The client must send a token.\n", "The client MUST send a token.\n", ""},
		{"number changed", para, "## Token expiry\n\nAccess tokens expire after 60 minutes of inactivity. A client must then sign in again.\n", ""},
		{"MUST became SHOULD", "The client MUST send a token.\n", "The client SHOULD send a token.\n", ""},
		{"must became may", "The client must send a token.\n", "The client may send a token.\n", ""},
		{"negation added", "The server caches the response.\n", "The server never caches the response.\n", ""},
		{"not added", "Tokens are renewed.\n", "Tokens are not renewed.\n", ""},
		{"contraction", "Tokens do expire.\n", "Tokens don't expire.\n", ""},
		{"word replaced", "Invoices are sent monthly.\n", "Invoices are sent weekly.\n", ""},
		{"prefix flips meaning", "Batching is enabled by default.\n", "Batching is disabled by default.\n", ""},
		{"word added", "Invoices are sent by email.\n", "Invoices are sent by email and post.\n", ""},
		{"many small changes", "alpha beta gamma delta epsilon zeta theta\n", "alphx betx gammx deltx epsilox zetx thetx\n", ""},
		{"sentence added", "Tokens expire.\n", "Tokens expire. Refresh tokens last a week.\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := editKind(tc.before, tc.after); got != tc.want {
				t.Errorf("editKind(%q, %q) = %q, want %q", tc.before, tc.after, got, tc.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		name string
		x, y string
		want int
	}{
		{"equal", "token", "token", 0},
		{"one substitution", "token", "tokan", 1},
		{"transposition", "recieve", "receive", 1},
		{"insertion", "color", "colour", 1},
		{"empty", "", "abc", 3},
		{"runes", "café", "cafe", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := editDistance(tc.x, tc.y); got != tc.want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", tc.x, tc.y, got, tc.want)
			}
		})
	}
}
