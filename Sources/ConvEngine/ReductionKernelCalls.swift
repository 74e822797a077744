internal import CMergeDAConvKernels

/// The probe's reductions over whole weight tensors, done by the C kernels (several accumulators, so
/// they vectorise); Swift arrays are passed straight through.
public enum ReductionKernels {
    /// Per output channel of a `[rows, cols]` weight: (Euclidean norm, sum of absolute values).
    public static func rowNorms(_ matrix: [Double], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        precondition(matrix.count == rows * cols, "a [rows, cols] matrix")
        var l2 = [Double](repeating: 0, count: rows)
        var l1 = [Double](repeating: 0, count: rows)
        mdk_row_norms_f64(matrix, Int64(rows), Int64(cols), &l2, &l1)
        return (l2, l1)
    }

    public static func rowNorms(_ matrix: [Float], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        precondition(matrix.count == rows * cols, "a [rows, cols] matrix")
        var l2 = [Double](repeating: 0, count: rows)
        var l1 = [Double](repeating: 0, count: rows)
        mdk_row_norms_f32(matrix, Int64(rows), Int64(cols), &l2, &l1)
        return (l2, l1)
    }

    public static func tapSums(_ weight: [Float], taps: Int) -> [Double] {
        precondition(taps > 0 && weight.count % taps == 0, "whole kernels")
        var sums = [Double](repeating: 0, count: weight.count / taps)
        mdk_tap_sums_f32(weight, Int64(sums.count), Int64(taps), &sums)
        return sums
    }

    /// Sums of consecutive runs of `taps` values.
    public static func tapSums(_ weight: [Double], taps: Int) -> [Double] {
        precondition(taps > 0 && weight.count % taps == 0, "whole kernels")
        var sums = [Double](repeating: 0, count: weight.count / taps)
        mdk_tap_sums_f64(weight, Int64(sums.count), Int64(taps), &sums)
        return sums
    }

    /// (max |a - b|, max |a|); NaN anywhere makes the first NaN.
    public static func maxAbsDifference(_ a: [Double], _ b: [Double]) -> (difference: Double, magnitude: Double) {
        precondition(a.count == b.count, "equal lengths")
        var difference = 0.0
        var magnitude = 0.0
        mdk_max_abs_difference(a, b, Int64(a.count), &difference, &magnitude)
        return (difference, magnitude)
    }

    /// `max_o ||B_o||_2` of ``FoldErrorBound``, for branch weights `[out, kernels, taps]`; `signs[b]` is +1, -1 or 0
    /// as branch b's tap sum is added, subtracted or absent at the centre tap.
    public static func foldErrorBound(
        weights: [[Double]], gates: [Double], signs: [Double], rows: Int, kernelsPerRow: Int, taps: Int, centre: Int,
        gateError: Double, tapSumOnMagnitudes: Double, tapSumOnSum: Double, conversion: Double
    ) -> Double {
        precondition(weights.count == gates.count && gates.count == signs.count, "one gate and sign per branch")
        precondition(weights.allSatisfy { $0.count == rows * kernelsPerRow * taps }, "[rows, kernels, taps] weights")
        let coefficients = mdk_fold_error_coefficients(
            gate_error: gateError, tap_sum_on_magnitudes: tapSumOnMagnitudes, tap_sum_on_sum: tapSumOnSum, conversion: conversion)
        return withBaseAddresses(weights) { pointers in
            mdk_fold_error_bound_f64(
                pointers, gates, signs, Int64(weights.count), Int64(rows), Int64(kernelsPerRow),
                Int64(taps), Int64(centre), coefficients)
        }
    }

    /// Calls `body` with the base address of every array, all kept alive for the call.
    private static func withBaseAddresses<R>(
        _ arrays: [[Double]], _ collected: [UnsafePointer<Double>?] = [], _ body: ([UnsafePointer<Double>?]) -> R
    ) -> R {
        guard collected.count < arrays.count else { return body(collected) }
        return arrays[collected.count].withUnsafeBufferPointer { buffer in
            withBaseAddresses(arrays, collected + [buffer.baseAddress], body)
        }
    }
}
