package edit

import (
	"regexp"
	"strings"
	"testing"

	"github.com/livespec/livespec"
)

func TestKind(t *testing.T) {
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
		{"heading level amid shared lines", "Intro.\n\n## Limits\n\nTokens expire.\n\nOutro.", "Intro.\n\n### Limits\n\nTokens expire.\n\nOutro.", livespec.EditHeading},
		{"closing hashes amid shared lines", "Intro.\n## Limits ##\nOutro.", "Intro.\n## Limits\nOutro.", livespec.EditHeading},
		{"link amid shared lines", "Intro.\nSee [it](a.md).\nOutro.", "Intro.\nSee [it](b.md).\nOutro.", livespec.EditLinks},
		{"shared line start differs at its end", "Tokens expire after 30 minutes.\nOutro.", "Tokens expire after 60 minutes.\nOutro.", ""},
		{"line joined into the shared end", "Intro.\nTokens\nexpire.", "Intro.\nTokens expire.", livespec.EditWhitespace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Kind(tc.before, tc.after); got != tc.want {
				t.Errorf("Kind(%q, %q) = %q, want %q", tc.before, tc.after, got, tc.want)
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

// Heading and link marks as regular expressions: the definition
// headingFree and LinkFree implement line by line.
var (
	atxMarkRE    = regexp.MustCompile(`(?m)^[ \t]{0,3}#{1,6}[ \t]+`)
	atxCloseRE   = regexp.MustCompile(`(?m)[ \t]+#+[ \t]*$`)
	setextLineRE = regexp.MustCompile(`(?m)^[ \t]{0,3}(=+|-{2,})[ \t]*$`)
)

// normaliserSeeds are texts with every form of heading and link mark,
// and near misses of each.
var normaliserSeeds = []string{
	"# A\n## B ##\n###### C\n####### D\n    # E\n   # F #  \n#G\n# #\n#\t\tH\t#\t",
	"Title\n=====\nSub\n---\n- item\n-\n  ==  \n    ===\n= =\n--x\n\t---\n",
	"a ## ##\nb #\nc#\n##  \n \t # x",
	"See [a](b.md) and ![i](p.png) and [r][l] and [x]\n[l]: http://x.y/z \"t\"\n<a name=\"q\"></a><SPAN id=z>t</span>\n## H {#h}\n<https://a.b/c> http://d.e/f)",
	"[]( ) [a]() [[a]](b) ![]() ![a][b] ]: [ ]: x\n   [d]:\n    [e]: f",
}

func FuzzHeadingFree(f *testing.F) {
	for _, s := range normaliserSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := setextLineRE.ReplaceAllString(atxCloseRE.ReplaceAllString(atxMarkRE.ReplaceAllString(s, ""), ""), "")
		if got := headingFree(s); got != want {
			t.Errorf("headingFree(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzLinkFree(f *testing.F) {
	for _, s := range normaliserSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s
		for _, lf := range linkForms {
			want = lf.re.ReplaceAllString(want, lf.with)
		}
		if got := LinkFree(s); got != want {
			t.Errorf("LinkFree(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzDifferingLines(f *testing.F) {
	f.Add("Intro.\n## A\nOutro.", "Intro.\n### A\nOutro.")
	f.Add("a\nb\nc", "a\nc")
	f.Add("x y\n", "x  y\n\n")
	f.Fuzz(func(t *testing.T, before, after string) {
		b, a := differingLines(before, after)
		if !strings.Contains(before, b) || !strings.Contains(after, a) {
			t.Fatalf("differingLines(%q, %q) = %q, %q: not parts of the texts", before, after, b, a)
		}
		for _, norm := range []func(string) string{func(s string) string { return s }, headingFree, LinkFree} {
			whole := strings.Join(strings.Fields(norm(before)), " ") == strings.Join(strings.Fields(norm(after)), " ")
			middle := strings.Join(strings.Fields(norm(b)), " ") == strings.Join(strings.Fields(norm(a)), " ")
			if whole != middle {
				t.Errorf("differingLines(%q, %q) = %q, %q: fields equal %v, of the whole texts %v", before, after, b, a, middle, whole)
			}
		}
	})
}
