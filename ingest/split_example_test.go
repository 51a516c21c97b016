package ingest_test

import (
	"fmt"

	"github.com/livespec/livespec/ingest"
)

func ExampleParseFile() {
	src := []byte(`---
owner: payments-team
---
# Checkout

Checkout takes a cart and returns an [order](../orders/README.md#model).

## Coupons

One coupon per order.
`)
	pf, err := ingest.ParseFile("specs/checkout/README.md", src, ingest.ParseOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("owner:", pf.Meta["owner"])
	for _, s := range pf.Sections {
		fmt.Printf("%q level %d links %v\n", s.Heading, s.Level, s.Links)
	}
	// Output:
	// owner: payments-team
	// "(front matter)" level 0 links []
	// "Checkout" level 1 links [specs/orders/README.md]
	// "Checkout > Coupons" level 2 links []
}

func ExampleDiffSections() {
	parse := func(src string) *ingest.ParsedFile {
		pf, _ := ingest.ParseFile("spec.md", []byte(src), ingest.ParseOptions{})
		return pf
	}
	old := parse("# Checkout\n## Coupons\nOne coupon per order.\n## Payment\nCard on file.\n")
	new := parse("# Checkout\n## Discounts\nOne coupon per order.\n## Payment\nCard on file, or a new card.\n## Refunds\nTo the card.\n")
	for _, d := range ingest.DiffSections(old.Sections, new.Sections) {
		if d.Kind == "" {
			continue // unchanged
		}
		h := d.Old
		if d.New != nil {
			h = d.New
		}
		fmt.Printf("%s %q: %s\n", d.Kind, h.Heading, d.Summary)
	}
	// Output:
	// renamed "Checkout > Discounts": heading renamed from "Coupons"
	// modified "Checkout > Payment": +1 −1 lines
	// added "Checkout > Refunds": +2 lines
}
