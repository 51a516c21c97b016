package ingest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/gittest"
	"github.com/livespec/livespec/internal/storetest"
)

func TestSectionHistory(t *testing.T) {
	const path = "docs/checkout.md"
	r := gittest.New(t, baseTime)
	commits := map[string]string{}
	commits["add"] = r.Do(gittest.Step{Msg: "Add checkout spec", Write: map[string]string{
		path: sectionDoc("Checkout", "Payment", "Cards and wallets are accepted.", "Coupons", "One coupon per order."),
	}})
	commits["edit"] = r.Do(gittest.Step{Msg: "Accept bank transfers", Write: map[string]string{
		path: sectionDoc("Checkout", "Payment", "Cards, wallets and bank transfers are accepted.", "Coupons", "One coupon per order."),
	}})
	commits["heading"] = r.Do(gittest.Step{Msg: "Rename coupons", Write: map[string]string{
		path: sectionDoc("Checkout", "Payment", "Cards, wallets and bank transfers are accepted.", "Discount codes", "One coupon per order."),
	}})
	commits["whitespace"] = r.Do(gittest.Step{Msg: "Reflow", Write: map[string]string{
		path: strings.ReplaceAll(sectionDoc("Checkout", "Payment", "Cards, wallets and bank transfers are accepted.", "Discount codes", "One coupon per order."), "\n\n", "\n\n\n") + "   \n",
	}})
	commits["move"] = r.Do(gittest.Step{Msg: "Reorder", Write: map[string]string{
		path: sectionDoc("Checkout", "Discount codes", "One coupon per order.", "Payment", "Cards, wallets and bank transfers are accepted."),
	}})
	commits["rename"] = r.Do(gittest.Step{Msg: "Move checkout under payments", Move: [][2]string{{path, "docs/payments/checkout.md"}}})
	const path2 = "docs/payments/checkout.md"
	commits["fence"] = r.Do(gittest.Step{Msg: "Document the API", Write: map[string]string{
		path2: sectionDoc("Checkout", "Discount codes", "One coupon per order.", "Payment", "Cards, wallets and bank transfers are accepted.",
			"API", "```sh\n# not a heading\ncurl -X POST /checkout\n```"),
	}})
	commits["front"] = r.Do(gittest.Step{Msg: "Add front matter", Write: map[string]string{
		path2: "---\nowner: payments\nstatus: draft\n---\n" + sectionDoc("Checkout", "Discount codes", "One coupon per order.", "Payment", "Cards, wallets and bank transfers are accepted.",
			"API", "```sh\n# not a heading\ncurl -X POST /checkout\n```"),
	}})
	commits["delete"] = r.Do(gittest.Step{Msg: "Drop checkout", Remove: []string{path2}})

	store := newMemStore()
	res, warnings := ingestRepo(t, store, r.Dir, "shop", nil)
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if res.Commits != 9 || res.Files != 0 {
		t.Errorf("result %+v, want 9 commits and no current file", res)
	}

	tests := []struct {
		name     string
		fileKind livespec.ChangeKind
		path     string
		want     []string
	}{
		{"add", livespec.Added, path, []string{
			"added docs/checkout.md#Checkout", "added docs/checkout.md#Checkout > Coupons", "added docs/checkout.md#Checkout > Payment"}},
		{"edit", livespec.Modified, path, []string{"modified docs/checkout.md#Checkout > Payment"}},
		{"heading", livespec.Modified, path, []string{"renamed docs/checkout.md#Checkout > Discount codes from Checkout > Coupons"}},
		{"whitespace", livespec.Modified, path, nil},
		{"move", livespec.Modified, path, nil},
		{"rename", livespec.Renamed, path2, []string{
			"renamed docs/payments/checkout.md#Checkout in docs/checkout.md",
			"renamed docs/payments/checkout.md#Checkout > Discount codes in docs/checkout.md",
			"renamed docs/payments/checkout.md#Checkout > Payment in docs/checkout.md"}},
		{"fence", livespec.Modified, path2, []string{"added docs/payments/checkout.md#Checkout > API"}},
		{"front", livespec.Modified, path2, []string{"added docs/payments/checkout.md#(front matter)"}},
		{"delete", livespec.Removed, path2, []string{
			"removed docs/payments/checkout.md#(front matter)", "removed docs/payments/checkout.md#Checkout",
			"removed docs/payments/checkout.md#Checkout > API", "removed docs/payments/checkout.md#Checkout > Discount codes",
			"removed docs/payments/checkout.md#Checkout > Payment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := commits[tt.name]
			fc := storetest.FileEvent(t, store, "shop", c, tt.path)
			if fc == nil || fc.Kind != tt.fileKind {
				t.Fatalf("file change of %s = %+v, want kind %s", tt.path, fc, tt.fileKind)
			}
			slices.Sort(tt.want)
			if got := storetest.SectionEvents(t, store, "shop", c); !slices.Equal(got, tt.want) {
				t.Errorf("section changes:\n got %q\nwant %q", got, tt.want)
			}
		})
	}

	ctx := context.Background()
	// The Payment section: three versions (added, edited, moved with the
	// file), each closed when the next began, the last closed by the delete.
	vs, _ := store.Versions(ctx, livespec.VersionQuery{Repos: []string{"shop"}, Validity: livespec.AnyVersion()})
	var payment []livespec.Version
	for _, v := range vs {
		if strings.HasSuffix(v.Heading, "Payment") {
			payment = append(payment, v)
		}
	}
	slices.SortFunc(payment, func(a, b livespec.Version) int { return int(a.Seq - b.Seq) })
	if len(payment) != 3 {
		t.Fatalf("Payment versions: %d, want 3", len(payment))
	}
	for i, want := range []string{commits["edit"], commits["rename"], commits["delete"]} {
		if payment[i].EndCommit != want {
			t.Errorf("Payment version %d ends at %.10s, want %.10s", i, payment[i].EndCommit, want)
		}
		if i > 0 && !payment[i].ValidFrom.Equal(payment[i-1].ValidTo) {
			t.Errorf("Payment version %d starts at %v, previous ends at %v", i, payment[i].ValidFrom, payment[i-1].ValidTo)
		}
	}
	if !strings.Contains(payment[0].Text, "Cards and wallets") || payment[2].Path != path2 {
		t.Errorf("Payment versions hold the wrong text or path: %+v", payment)
	}
	// As of the reorder, the section is valid from the edit.
	asOf := payment[1].ValidFrom
	for _, v := range vs {
		if v.ValidAt(asOf) && v.Path != path {
			t.Errorf("as of %v, version at %s should not be valid", asOf, v.Path)
		}
	}
	// No section was ever made of the "# not a heading" line in the fence.
	for _, v := range vs {
		if strings.Contains(v.Heading, "not a heading") {
			t.Errorf("code fence line became a section: %q", v.Heading)
		}
	}
	// Front matter lands in the file version's Meta.
	files, _ := store.Files(ctx, livespec.FileQuery{Repos: []string{"shop"}, Validity: livespec.AnyVersion()})
	var meta map[string]any
	for _, f := range files {
		if f.Commit == commits["front"] {
			meta = f.Meta
			if len(f.Outline) != 5 {
				t.Errorf("outline %+v, want 5 sections", f.Outline)
			}
		}
	}
	if meta["owner"] != "payments" || meta["status"] != "draft" {
		t.Errorf("front matter meta = %v", meta)
	}
	// Whitespace-only edits still make a new file version, keeping sections.
	if fc := storetest.FileEvent(t, store, "shop", commits["whitespace"], path); fc.Before == "" || fc.After == "" || fc.Before == fc.After {
		t.Errorf("whitespace edit file change %+v should replace the file version", fc)
	}
}

func TestNonTextFiles(t *testing.T) {
	r := gittest.New(t, baseTime)
	c1 := r.Do(gittest.Step{Msg: "add", Write: map[string]string{
		"a.md":   sectionDoc("A", "One", "first"),
		"big.md": sectionDoc("Big", "Body", strings.Repeat("lorem ipsum ", 50)),
		"bin.md": "\x00\x01\x02binary",
		"lat.md": "caf\xe9 latin-1\n",
	}})
	r.Symlink("link.md", "a.md")
	c2 := r.Commit("link")
	r.Write("a.md", "\x00now binary")
	c3 := r.Commit("a becomes binary")
	r.Write("a.md", sectionDoc("A", "One", "text again"))
	r.Write("link.md", "# Link\n\nno longer a link\n")
	c4 := r.Commit("a is text again; link becomes a file")
	r.Write("mod.gitmodules", "")
	r.Git("update-index", "--add", "--cacheinfo", "160000,"+c1+",sub.md")
	c5 := r.Commit("add a submodule named like a spec")

	store := newMemStore()
	res, warnings := ingestRepo(t, store, r.Dir, "nt", func(o *Options) { o.MaxFileBytes = 300 })
	status := map[string]livespec.FileStatus{}
	files, _ := store.Files(context.Background(), livespec.FileQuery{Repos: []string{"nt"}, Validity: livespec.AnyVersion()})
	for _, f := range files {
		status[f.Path+"@"+f.Commit] = f.Status
		if f.Status == livespec.FileSymlink && f.Target != "a.md" {
			t.Errorf("symlink target %q", f.Target)
		}
	}
	want := map[string]livespec.FileStatus{
		"a.md@" + c1: livespec.FileText, "big.md@" + c1: livespec.FileTooLarge, "bin.md@" + c1: livespec.FileBinary,
		"lat.md@" + c1: livespec.FileBinary, "link.md@" + c2: livespec.FileSymlink, "a.md@" + c3: livespec.FileBinary,
		"a.md@" + c4: livespec.FileText, "link.md@" + c4: livespec.FileText,
	}
	for k, w := range want {
		if status[k] != w {
			t.Errorf("status of %s = %q, want %q", k, status[k], w)
		}
	}
	if len(status) != len(want) {
		t.Errorf("file versions %v, want %d", status, len(want))
	}
	if got := storetest.SectionEvents(t, store, "nt", c3); !slices.Equal(got, []string{"removed a.md#A", "removed a.md#A > One"}) {
		t.Errorf("a.md becoming binary: section changes %q", got)
	}
	if got := storetest.SectionEvents(t, store, "nt", c4); !slices.Equal(got, []string{"added a.md#A", "added a.md#A > One", "added link.md#Link"}) {
		t.Errorf("text again: section changes %q", got)
	}
	if storetest.FileEvent(t, store, "nt", c5, "sub.md") != nil {
		t.Errorf("submodule recorded as a spec file")
	}
	if res.Skipped != 5 {
		t.Errorf("Skipped = %d, want 5 (big, bin, lat, link, a.md binary)", res.Skipped)
	}
	joined := strings.Join(warnings, "\n")
	for _, w := range []string{"big.md", "too large", "bin.md", "binary", "symbolic link", "submodule sub.md"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no warning mentions %q:\n%s", w, joined)
		}
	}
}

func TestSectionMovedUnderAnotherParent(t *testing.T) {
	r := gittest.New(t, baseTime, gittest.Step{Msg: "one", Write: map[string]string{"spec.md": "# Checkout\n\n## Coupons\n\nOne coupon per order.\n\n# Promotions\n\nSeasonal offers.\n"}})
	c2 := r.Do(gittest.Step{Msg: "move coupons", Write: map[string]string{"spec.md": "# Checkout\n\n# Promotions\n\nSeasonal offers.\n\n## Coupons\n\nOne coupon per order.\n"}})
	store := newMemStore()
	ingestRepo(t, store, r.Dir, "mv", nil)
	want := []string{"renamed spec.md#Promotions > Coupons from Checkout > Coupons"}
	if got := storetest.SectionEvents(t, store, "mv", c2); !slices.Equal(got, want) {
		t.Errorf("moved section: %q, want %q", got, want)
	}
	cur, _ := store.Versions(context.Background(), livespec.VersionQuery{Repos: []string{"mv"}, Validity: livespec.Current()})
	var heads []string
	for _, v := range cur {
		heads = append(heads, v.Heading)
	}
	slices.Sort(heads)
	if !slices.Equal(heads, []string{"Checkout", "Promotions", "Promotions > Coupons"}) {
		t.Errorf("current sections %q", heads)
	}
}
