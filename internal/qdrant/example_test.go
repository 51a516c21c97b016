package qdrant_test

import (
	"context"
	"fmt"
	"log"

	"github.com/livespec/livespec"
	"github.com/livespec/livespec/internal/qdrant"
)

// Open a store on the Qdrant of docker-compose.yml and search the current
// spec. (Not run: it needs a Qdrant server.)
func ExampleOpen() {
	ctx := context.Background()
	s, err := qdrant.Open(ctx, "qdrant://localhost:6334?collection=livespec", qdrant.Options{
		ShardNumber: 6, ReplicationFactor: 2, // used only when the collections are created
	})
	if err != nil {
		log.Fatal(err) // livespec.EUNAVAILABLE when the server is down
	}
	defer s.Close()
	hits, err := s.Search(ctx, livespec.SearchQuery{Text: "Do coupons stack?", Validity: livespec.Current(), Limit: 5})
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Println(h.Version.Path, h.Version.Heading)
	}
}

// The terms of a text, as the BM25 sparse vectors see them.
func ExampleTokens() {
	fmt.Println(qdrant.Tokens("Which discounts do the coupons give?"))
	fmt.Println(qdrant.QueryVector("coupons Coupons").Values)
	// Output:
	// [discount coupon give]
	// [1]
}
