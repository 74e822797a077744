internal import CMergeDAConvKernels

/// The probe's reductions over whole weight tensors, done by the C kernels (several accumulators, so
/// they vectorise); Swift arrays are passed straight through.
enum ReductionKernels {
    /// Per output channel of a `[rows, cols]` weight: (Euclidean norm, sum of absolute values).
    static func rowNorms(_ matrix: [Double], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        precondition(matrix.count == rows * cols, "a [rows, cols] matrix")
        var l2 = [Double](repeating: 0, count: rows), l1 = [Double](repeating: 0, count: rows)
        mdk_row_norms_f64(matrix, Int64(rows), Int64(cols), &l2, &l1)
        return (l2, l1)
    }

    static func rowNorms(_ matrix: [Float], rows: Int, cols: Int) -> (l2: [Double], l1: [Double]) {
        precondition(matrix.count == rows * cols, "a [rows, cols] matrix")
        var l2 = [Double](repeating: 0, count: rows), l1 = [Double](repeating: 0, count: rows)
        mdk_row_norms_f32(matrix, Int64(rows), Int64(cols), &l2, &l1)
        return (l2, l1)
    }

    static func tapSums(_ weight: [Float], taps: Int) -> [Double] {
        precondition(taps > 0 && weight.count % taps == 0, "whole kernels")
        var sums = [Double](repeating: 0, count: weight.count / taps)
        mdk_tap_sums_f32(weight, Int64(sums.count), Int64(taps), &sums)
        return sums
    }

    /// Sums of consecutive runs of `taps` values.
    static func tapSums(_ weight: [Double], taps: Int) -> [Double] {
        precondition(taps > 0 && weight.count % taps == 0, "whole kernels")
        var sums = [Double](repeating: 0, count: weight.count / taps)
        mdk_tap_sums_f64(weight, Int64(sums.count), Int64(taps), &sums)
        return sums
    }

    /// (max |a - b|, max |a|); NaN anywhere makes the first NaN.
    static func maxAbsDifference(_ a: [Double], _ b: [Double]) -> (difference: Double, magnitude: Double) {
        precondition(a.count == b.count, "equal lengths")
        var difference = 0.0, magnitude = 0.0
        mdk_max_abs_difference(a, b, Int64(a.count), &difference, &magnitude)
        return (difference, magnitude)
    }
}
