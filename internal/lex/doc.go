// Package lex is livespec's one text analysis, shared by every matcher: the
// SQLite BM25 index, the Qdrant sparse vectors, retrieval's re-ranking and
// topic matching, and the extractive generator's sentence picking.
//
// Tokens splits text into lower-cased words. Runs of letters and digits make
// a word; version numbers stay whole ("3.0.0"); camelCase words and
// hyphenated compounds give their parts and the joined form ("readOnly" and
// "read-only" both give readonly, read, only); identifiers written with
// slashes or dots ("src/oas.md", "text/event-stream", "HTTP/2") come whole
// too. Symbols are terms: a sigil on a word ("$ref", "@name", "~int"), a word
// in braces or angle brackets ("{id}", "<T>"), an attribute ("#[derive]"), a
// prefix with a dangling hyphen ("x-"), a directive ("//go:build") and a code
// span holding only punctuation ("`?`", "`~`"). A symbol the text writes as
// the start of longer ones ("`~int`-style", "~int*", "starting with `$`") is
// marked Prefix, and PrefixOf says which symbols are its forms.
//
// Stem reduces a word with the Snowball English (Porter2) stemmer, so
// "discounts" meets "discount"; numbers, identifiers and symbols are left
// as they are. Stop reports the function and question words that carry no
// topic. Terms is what an index stores for a text: the stems of its
// non-stop tokens.
package lex
