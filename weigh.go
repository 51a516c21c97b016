package livespec

// Weigher is implemented by Askers that tell, before answering, whether a
// question is heavy: a timeline or a change report, which reads history
// and costs several times a current or as-of answer. Servers admit heavy
// questions apart, so that they never hold every slot light ones need.
type Weigher interface {
	// Heavy reports whether answering req reads history.
	Heavy(req AskRequest) bool
}
