// Package partition decides, node by node, whether a converter takes each
// node (the capability pass), and cuts the graph into ordered engine and
// fallback segments.
//
// Invariants of the result:
//   - Segments are in execution order and every node is in exactly one.
//   - Every value a segment reads is a graph input, a constant, or an output
//     of an earlier segment: segments never form a cycle. This holds by
//     construction: segments are contiguous runs of one topological order.
//   - No engine segment holds fewer compute ops than MinBlockSize, unless
//     RequireFullCompilation is set (then every node must convert, and
//     min block size does not demote) or the segment holds a node that
//     becomes a TensorRT loop or conditional (conversion.Converter.Region:
//     a recurrent layer, If, Loop or Scan, as much work as a block).
//   - An engine node that computes only shape values (Value.ShapeData) for
//     engine nodes is placed just before its first reader, in the reader's
//     engine, so shape computations do not cross segment boundaries.
package partition
