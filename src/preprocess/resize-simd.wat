;; The two passes of PIL's 8-bit LANCZOS resize (resize-lanczos.ts has the arithmetic and why it
;; is bit-exact) with WebAssembly SIMD: 16 taps or 16 columns per step instead of one, which is
;; what makes the TypeScript preprocessing faster than Pillow's C (issue 15, item 5).
;;
;; Exactness: every product pixel * weight and every sum is an i32, as in the scalar code; int32
;; wrap-around is modular and the true sums fit, so the results are the same bits. Weights are
;; 22-bit fixed point (PRECISION_BITS = 22), HALF = 1 << 21.
;;
;; Memory contract (resize-simd.ts lays it out): every v128.load may read up to 15 bytes past the
;; last pixel a pass needs, so each source buffer has 16 bytes of slack after it; the vertical
;; pass writes whole 16-byte groups, so its output buffer has 16 bytes of slack too. Tap weights
;; past a sample's length are 0, so whatever those extra bytes hold contributes nothing.
;;
;; Assembled by `npm run build:wasm` (wabt) into resize-simd.wasm.ts; a unit test checks that the
;; committed bytes are this text's.
(module
  (memory (export "memory") 1)

  ;; Sum of the four lanes + HALF, >> 22, clipped to 0..255.
  (func $clip8 (param $acc v128) (result i32)
    (local $v i32)
    (local.set $acc
      (i32x4.add (local.get $acc)
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $acc) (local.get $acc))))
    (local.set $v
      (i32.shr_s
        (i32.add
          (i32.const 2097152)
          (i32x4.extract_lane 0
            (i32x4.add (local.get $acc)
              (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $acc) (local.get $acc)))))
        (i32.const 22)))
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then (return (i32.const 0))))
    (if (i32.gt_s (local.get $v) (i32.const 255)) (then (return (i32.const 255))))
    (local.get $v))

  ;; acc + the 16 products of 16 pixels at $p and 16 i32 weights at $wp.
  (func $mac16 (param $acc v128) (param $p i32) (param $wp i32) (result v128)
    (local $px v128)
    (local $half v128)
    (local.set $px (v128.load (local.get $p)))
    (local.set $half (i16x8.extend_low_i8x16_u (local.get $px)))
    (local.set $acc (i32x4.add (local.get $acc)
      (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $half)) (v128.load offset=0 (local.get $wp)))))
    (local.set $acc (i32x4.add (local.get $acc)
      (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $half)) (v128.load offset=16 (local.get $wp)))))
    (local.set $half (i16x8.extend_high_i8x16_u (local.get $px)))
    (local.set $acc (i32x4.add (local.get $acc)
      (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $half)) (v128.load offset=32 (local.get $wp)))))
    (i32x4.add (local.get $acc)
      (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $half)) (v128.load offset=48 (local.get $wp)))))

  ;; Horizontal pass: `rows` rows of `inW` pixels at $src -> `rows` rows of `outW` at $out.
  ;; Output sample xx reads pixels start[xx] .. start[xx] + len[xx] - 1 with the weights at
  ;; $w + 4 * xx * ksizeP (ksizeP a multiple of 16, zero-padded). Two rows at a time share the
  ;; loop and the weight loads.
  (func (export "hpass")
    (param $src i32) (param $inW i32) (param $rows i32) (param $outW i32) (param $ksizeP i32)
    (param $start i32) (param $len i32) (param $w i32) (param $out i32)
    (local $r i32) (local $rowA i32) (local $rowB i32) (local $two i32)
    (local $outA i32) (local $xx i32) (local $s i32) (local $chunks i32)
    (local $wp i32) (local $pA i32) (local $pB i32) (local $accA v128) (local $accB v128)
    (block $rowsDone
      (loop $eachRowPair
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $rowA (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $inW))))
        (local.set $two (i32.lt_u (i32.add (local.get $r) (i32.const 1)) (local.get $rows)))
        (local.set $rowB
          (select (i32.add (local.get $rowA) (local.get $inW)) (local.get $rowA) (local.get $two)))
        (local.set $outA (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $outW))))
        (local.set $xx (i32.const 0))
        (block $colsDone
          (loop $eachCol
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $outW)))
            (local.set $s (i32.load (i32.add (local.get $start) (i32.shl (local.get $xx) (i32.const 2)))))
            (local.set $chunks
              (i32.shr_u
                (i32.add (i32.load (i32.add (local.get $len) (i32.shl (local.get $xx) (i32.const 2))))
                  (i32.const 15))
                (i32.const 4)))
            (local.set $wp
              (i32.add (local.get $w)
                (i32.shl (i32.mul (local.get $xx) (local.get $ksizeP)) (i32.const 2))))
            (local.set $pA (i32.add (local.get $rowA) (local.get $s)))
            (local.set $pB (i32.add (local.get $rowB) (local.get $s)))
            (local.set $accA (v128.const i32x4 0 0 0 0))
            (local.set $accB (v128.const i32x4 0 0 0 0))
            (block $tapsDone
              (loop $eachChunk
                (br_if $tapsDone (i32.eqz (local.get $chunks)))
                (local.set $accA (call $mac16 (local.get $accA) (local.get $pA) (local.get $wp)))
                (local.set $accB (call $mac16 (local.get $accB) (local.get $pB) (local.get $wp)))
                (local.set $pA (i32.add (local.get $pA) (i32.const 16)))
                (local.set $pB (i32.add (local.get $pB) (i32.const 16)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 64)))
                (local.set $chunks (i32.sub (local.get $chunks) (i32.const 1)))
                (br $eachChunk)))
            (i32.store8 (i32.add (local.get $outA) (local.get $xx)) (call $clip8 (local.get $accA)))
            (if (local.get $two)
              (then
                (i32.store8
                  (i32.add (i32.add (local.get $outA) (local.get $outW)) (local.get $xx))
                  (call $clip8 (local.get $accB)))))
            (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
            (br $eachCol)))
        (local.set $r (i32.add (local.get $r) (i32.const 2)))
        (br $eachRowPair))))

  ;; Vertical pass: output row yy = sum over y < len[yy] of weight[yy * ksize + y] times the
  ;; row start[yy] + y of $src (rows `stride` bytes apart, `width` columns used), 16 columns per
  ;; step; each group is rounded, shifted and clipped with two saturating narrows.
  (func (export "vpass")
    (param $src i32) (param $stride i32) (param $width i32) (param $outH i32) (param $ksize i32)
    (param $start i32) (param $len i32) (param $w i32) (param $out i32)
    (local $yy i32) (local $first i32) (local $n i32) (local $wrow i32) (local $orow i32)
    (local $xx i32) (local $p i32) (local $y i32) (local $wv v128) (local $px v128) (local $half v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $rowsDone
      (loop $eachRow
        (br_if $rowsDone (i32.ge_u (local.get $yy) (local.get $outH)))
        (local.set $first
          (i32.add (local.get $src)
            (i32.mul (i32.load (i32.add (local.get $start) (i32.shl (local.get $yy) (i32.const 2))))
              (local.get $stride))))
        (local.set $n (i32.load (i32.add (local.get $len) (i32.shl (local.get $yy) (i32.const 2)))))
        (local.set $wrow
          (i32.add (local.get $w) (i32.shl (i32.mul (local.get $yy) (local.get $ksize)) (i32.const 2))))
        (local.set $orow (i32.add (local.get $out) (i32.mul (local.get $yy) (local.get $width))))
        (local.set $xx (i32.const 0))
        (block $colsDone
          (loop $eachGroup
            (br_if $colsDone (i32.ge_u (local.get $xx) (local.get $width)))
            (local.set $a0 (v128.const i32x4 2097152 2097152 2097152 2097152))
            (local.set $a1 (local.get $a0))
            (local.set $a2 (local.get $a0))
            (local.set $a3 (local.get $a0))
            (local.set $p (i32.add (local.get $first) (local.get $xx)))
            (local.set $y (i32.const 0))
            (block $tapsDone
              (loop $eachTap
                (br_if $tapsDone (i32.ge_u (local.get $y) (local.get $n)))
                (local.set $wv
                  (i32x4.splat (i32.load (i32.add (local.get $wrow) (i32.shl (local.get $y) (i32.const 2))))))
                (local.set $px (v128.load (local.get $p)))
                (local.set $half (i16x8.extend_low_i8x16_u (local.get $px)))
                (local.set $a0 (i32x4.add (local.get $a0)
                  (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $half)) (local.get $wv))))
                (local.set $a1 (i32x4.add (local.get $a1)
                  (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $half)) (local.get $wv))))
                (local.set $half (i16x8.extend_high_i8x16_u (local.get $px)))
                (local.set $a2 (i32x4.add (local.get $a2)
                  (i32x4.mul (i32x4.extend_low_i16x8_u (local.get $half)) (local.get $wv))))
                (local.set $a3 (i32x4.add (local.get $a3)
                  (i32x4.mul (i32x4.extend_high_i16x8_u (local.get $half)) (local.get $wv))))
                (local.set $p (i32.add (local.get $p) (local.get $stride)))
                (local.set $y (i32.add (local.get $y) (i32.const 1)))
                (br $eachTap)))
            (v128.store (i32.add (local.get $orow) (local.get $xx))
              (i8x16.narrow_i16x8_u
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $a0) (i32.const 22))
                  (i32x4.shr_s (local.get $a1) (i32.const 22)))
                (i16x8.narrow_i32x4_s
                  (i32x4.shr_s (local.get $a2) (i32.const 22))
                  (i32x4.shr_s (local.get $a3) (i32.const 22)))))
            (local.set $xx (i32.add (local.get $xx) (i32.const 16)))
            (br $eachGroup)))
        (local.set $yy (i32.add (local.get $yy) (i32.const 1)))
        (br $eachRow)))))
