package storetest

import (
	"fmt"
	"time"

	"github.com/livespec/livespec"
)

// The landing times of the fixture's commits.
var (
	t1 = time.Date(2024, 1, 10, 9, 0, 0, 0, time.UTC)
	t2 = time.Date(2024, 2, 10, 9, 0, 0, 0, time.UTC)
	t3 = time.Date(2024, 3, 10, 9, 0, 0, 0, time.UTC)
)

// Texts of the fixture, named for the assertions.
const (
	txtCheckout   = "# Checkout\nThe checkout turns a cart into an order."
	txtPayments   = "## Payments\nCustomers pay by credit card or by zeppelin voucher."
	txtCouponsOld = "## Coupons\nCoupons are not supported; the quokka discount rule is pending."
	txtCouponsNew = "## Coupons\nCoupons give a ten percent discount at checkout."
	txtReadme     = "Shop specifications. See specs/checkout.md."
	txtOverview   = "# Overview\nThe shop sells tea and coffee."
	txtDelivery   = "# Delivery\nOrders ship within two days by courier."
	txtReturns    = "# Returns\nReturns are free within thirty days."
	txtGuide      = "# Guide\nThe zeppelin hangar opens at dawn."
)

func sha(repo string, n int) string {
	return fmt.Sprintf("%x%038x", len(repo), n)
}

// shop is a three-commit history:
//
//	c1 (t1): specs/checkout.md (Checkout, Payments, Coupons old), README.md (preamble, Overview)
//	c2 (t2): Coupons rewritten; specs/delivery.md added
//	c3 (t3): Payments removed; specs/delivery.md deleted; specs/returns.md and
//	         specs/legal/returns.md added with the same text
func shop() (*History, []*livespec.Batch) {
	h := NewHistory("shop")
	checkout := func(payments bool, coupons string) []livespec.Section {
		s := []livespec.Section{Sec("Checkout", txtCheckout)}
		if payments {
			s = append(s, Sec("Checkout > Payments", txtPayments))
		}
		return append(s, Sec("Checkout > Coupons", coupons))
	}
	readme := []livespec.Section{Sec("", txtReadme), Sec("Overview", txtOverview)}
	readme[0].Links = []string{"specs/checkout.md"}
	b1 := h.Commit(Commit{SHA: sha("shop", 1), Time: t1, Author: "Ada", Message: "Add the checkout spec",
		Files: map[string][]livespec.Section{"specs/checkout.md": checkout(true, txtCouponsOld), "README.md": readme}})
	b2 := h.Commit(Commit{SHA: sha("shop", 2), Time: t2, Author: "Bob", Message: "Support coupons",
		Files: map[string][]livespec.Section{"specs/checkout.md": checkout(true, txtCouponsNew),
			"specs/delivery.md": {Sec("Delivery", txtDelivery)}}})
	b3 := h.Commit(Commit{SHA: sha("shop", 3), Time: t3, Author: "Ada", Message: "Returns; drop delivery and payments",
		Files: map[string][]livespec.Section{"specs/checkout.md": checkout(false, txtCouponsNew),
			"specs/returns.md":       {Sec("Returns", txtReturns)},
			"specs/legal/returns.md": {Sec("Returns", txtReturns)}},
		Deleted: []string{"specs/delivery.md"}})
	return h, []*livespec.Batch{b1, b2, b3}
}

// docs is a second repository whose commits land at the same times as
// shop's, sharing one text (Overview) and one rare word (zeppelin).
func docs() []*livespec.Batch {
	h := NewHistory("docs")
	b1 := h.Commit(Commit{SHA: sha("docs", 1), Time: t1, Author: "Cy", Message: "Guide",
		Files: map[string][]livespec.Section{"guide.md": {Sec("Guide", txtGuide)}, "index.md": {Sec("Overview", txtOverview)}}})
	b2 := h.Commit(Commit{SHA: sha("docs", 2), Time: t2, Author: "Cy", Message: "Guide: hours",
		Files: map[string][]livespec.Section{"guide.md": {Sec("Guide", txtGuide), Sec("Guide > Hours", "## Hours\nOpen daily.")}}})
	return []*livespec.Batch{b1, b2}
}

// vid is the id of the version of (repo, path, heading) introduced by commit n.
func vid(repo, path, heading string, n int) string {
	return livespec.VersionID(livespec.Key{Repo: repo, Path: path, Heading: heading}, sha(repo, n))
}

const embedder = "test/3d"

// unit vectors of the fixture: three texts point in three directions, every
// other text in between.
var vectors = map[string][]float32{
	txtCouponsNew: {1, 0, 0},
	txtReturns:    {0, 1, 0},
	txtOverview:   {0, 0, 1},
}

// vectorsFor returns a vector of every distinct text of the batches.
func vectorsFor(batches ...*livespec.Batch) []livespec.Vector {
	seen := make(map[string]bool)
	var out []livespec.Vector
	for _, b := range batches {
		for _, v := range b.Versions {
			if seen[v.Hash] {
				continue
			}
			seen[v.Hash] = true
			vals, ok := vectors[v.Text]
			if !ok {
				vals = []float32{0.5, 0.5, 0.5}
			}
			out = append(out, livespec.Vector{Embedder: embedder, Hash: v.Hash, Values: vals})
		}
	}
	return out
}
