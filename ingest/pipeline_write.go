package ingest

import (
	"context"
	"fmt"
	"sync"

	"github.com/livespec/livespec"
)

const (
	embedBatch       = 32  // texts per embedding request
	embedConcurrency = 4   // embedding requests in flight
	hasVectorsChunk  = 500 // hashes per HasVectors call
)

// writer embeds the new texts of each batch and applies it, in order.
func (p *pipeline) writer(ctx context.Context, batches <-chan *livespec.Batch) error {
	p.embedded = map[string]bool{}
	for b := range batches {
		if p.opt.Embedder != nil {
			if err := p.embed(ctx, b); err != nil {
				return err
			}
		}
		if err := p.store.Apply(ctx, b); err != nil {
			return fmt.Errorf("ingest: apply: %w", err)
		}
	}
	return nil
}

// embed adds to b the vectors of the texts it introduces that have no
// vector yet. Each distinct text is embedded at most once per run.
func (p *pipeline) embed(ctx context.Context, b *livespec.Batch) error {
	e := p.opt.Embedder
	var hashes []string
	texts := map[string]string{}
	for _, v := range b.Versions {
		if p.embedded[v.Hash] {
			continue
		}
		if _, ok := texts[v.Hash]; !ok {
			texts[v.Hash] = v.Text
			hashes = append(hashes, v.Hash)
		}
	}
	if len(hashes) == 0 {
		return nil
	}
	todo := hashes
	if !p.opt.Reembed {
		todo = todo[:0:0]
		for i := 0; i < len(hashes); i += hasVectorsChunk {
			chunk := hashes[i:min(i+hasVectorsChunk, len(hashes))]
			has, err := p.store.HasVectors(ctx, e.ID(), chunk)
			if err != nil {
				return fmt.Errorf("ingest: %w", err)
			}
			for _, h := range chunk {
				if has[h] {
					p.embedded[h] = true
				} else {
					todo = append(todo, h)
				}
			}
		}
	}
	if len(todo) == 0 {
		return nil
	}
	vecs := make([]livespec.Vector, len(todo))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, embedConcurrency)
	var wg sync.WaitGroup
	for i := 0; i < len(todo); i += embedBatch {
		chunk := todo[i:min(i+embedBatch, len(todo))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(off int, chunk []string) {
			defer wg.Done()
			defer func() { <-sem }()
			in := make([]string, len(chunk))
			for j, h := range chunk {
				in[j] = texts[h]
			}
			out, err := e.EmbedDocuments(ctx, in)
			if err == nil && len(out) != len(in) {
				err = livespec.Errorf(livespec.EINTERNAL, "embedder %s returned %d vectors for %d texts", e.ID(), len(out), len(in))
			}
			if err != nil {
				cancel(fmt.Errorf("ingest: embed: %w", err))
				return
			}
			for j, h := range chunk {
				if d := e.Dimensions(); d > 0 && len(out[j]) != d {
					cancel(livespec.Errorf(livespec.EINTERNAL, "ingest: embedder %s returned %d dimensions, want %d", e.ID(), len(out[j]), d))
					return
				}
				vecs[off+j] = livespec.Vector{Embedder: e.ID(), Hash: h, Values: out[j]}
			}
		}(i, chunk)
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	for _, h := range todo {
		p.embedded[h] = true
	}
	b.Vectors = append(b.Vectors, vecs...)
	p.res.Embedded += len(todo)
	return nil
}
