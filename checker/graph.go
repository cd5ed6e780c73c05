package checker

// index fills g.Out from g.Edges, keeping the order of the edges leaving
// each state. Every Out[i] is a non-nil slice of one shared array, capped so
// that appending to one cannot overwrite another.
func (g *Graph[S, A]) index() {
	start := make([]int, len(g.States)+1)
	for _, e := range g.Edges {
		start[e.From+1]++
	}
	for i := range g.States {
		start[i+1] += start[i]
	}
	all := make([]int, len(g.Edges))
	next := append([]int(nil), start[:len(g.States)]...)
	for k, e := range g.Edges {
		all[next[e.From]] = k
		next[e.From]++
	}
	g.Out = make([][]int, len(g.States))
	for i := range g.Out {
		g.Out[i] = all[start[i]:start[i+1]:start[i+1]]
	}
}
