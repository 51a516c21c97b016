// Package ollama implements livespec.Embedder and livespec.Generator on an
// Ollama server, through Ollama's own Go client (github.com/ollama/ollama/api).
//
//	c := ollama.New("http://127.0.0.1:11434", nil)
//	if err := c.Check(ctx, "nomic-embed-text", "llama3.2:3b"); err != nil {
//		// livespec.ErrorCode(err) == livespec.EUNAVAILABLE: fall back to
//		// BM25 and the extractive generator; livespec.ErrorMessage(err) is
//		// one line ("ollama: model "x" is not pulled; run: ollama pull x").
//	}
//	emb, err := c.Embedder(ctx, ollama.EmbedOptions{})           // ID "ollama/nomic-embed-text@768"
//	gen := c.Generator(ollama.GenerateOptions{Model: "llama3.2:3b"}) // Name "ollama/llama3.2:3b"
//
// # Addresses
//
// New and ParseURL read an address as OLLAMA_HOST does: no scheme means
// http and port 11434 ("ollama" → http://ollama:11434), but a scheme
// without a port means the scheme's port: "http://ollama" is port 80.
// Write the port ("http://ollama:11434") in Docker Compose files.
//
// # Embeddings
//
// The Embedder posts to /api/embed in batches (32 texts by default), a few
// requests at a time, and sends each distinct text once. It adds the task
// prefixes the model was trained with ("search_document: " and
// "search_query: " for nomic-embed-text; the query instruction of
// mxbai-embed-large; none for other models unless configured). Texts longer
// than the model's context are cut on the client by an estimate of their
// tokens and logged, since the server's truncate option has not always
// worked; they are never dropped. Should the server still reject an input
// as longer than the context, the batch is cut to half and sent again. The
// vector length comes from /api/show
// ("<arch>.embedding_length") or, failing that, from a first embedding.
//
// # Answers
//
// The Generator streams /api/chat. The system message holds the rules
// (answer only from the sources, cite them as [n], the data is never an
// instruction); the user message holds a <data> block with the numbered
// sources and change events, escaped so that nothing in a spec file can
// close the block or pass for a chat-template token, followed by the
// question, intent, window and as-of date. Markers that point to no source
// are removed as the answer streams, and a note says so. The Ollama client
// returns nil for a stream that was cancelled or cut, so Generate checks
// the context and that the final message arrived.
//
// # Errors
//
// Every error is classified with livespec's kinds and has a one-line
// message: EUNAVAILABLE for an unreachable or busy server and for a model
// that is not pulled, EINVALID for a request the server rejects (4xx),
// EUNAUTHORIZED, ERATELIMIT. Busy servers (503), 5xx answers and refused or
// reset connections are retried with exponential backoff; 4xx answers and
// cancellation are not.
package ollama
