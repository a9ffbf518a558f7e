#!/bin/sh
# Emit bench_data.S: .incbin of the fixture models and converted goldens (paths given), and
# bench_count. Usage: gen_bench_data.sh FIXTURES GOLDEN_DIR [MODEL...] > out.S (default: all eight)
# A MODEL written field/NAME is a field golden: FIXTURES/field/models/NAME.tflite with GOLDEN_DIR/field/NAME.bin
# (reported as field/NAME).
FIX=$1
GOLD=$2
shift 2
NAMES="hello_world_int8 micro_speech_quantized person_detect simple_add_model keyword_spotting_on_off image_example1 rock_paper_scissors autoencoder_example"
[ $# -gt 0 ] && NAMES="$*"
echo '  .section .rodata'
i=0
for n in $NAMES; do
  case $n in
    field/*) model="$FIX/field/models/${n#field/}.tflite" ;;
    *) model="$FIX/models/$n.tflite" ;;
  esac
  printf '  .balign 16\nm%d: .incbin "%s"\nm%d_end:\n' $i "$model" $i
  printf '  .balign 4\ng%d: .incbin "%s/%s.bin"\n' $i "$GOLD" "$n"
  printf 's%d: .asciz "%s"\n' $i "$n"
  i=$((i+1))
done
printf '  .balign 4\n  .global bench_count\nbench_count: .word %d\n' $i
printf '  .global bench_models\nbench_models:\n'
i=0; for n in $NAMES; do printf '  .word m%d\n' $i; i=$((i+1)); done
printf '  .global bench_model_lens\nbench_model_lens:\n'
i=0; for n in $NAMES; do printf '  .word m%d_end - m%d\n' $i $i; i=$((i+1)); done
printf '  .global bench_goldens\nbench_goldens:\n'
i=0; for n in $NAMES; do printf '  .word g%d\n' $i; i=$((i+1)); done
printf '  .global bench_names\nbench_names:\n'
i=0; for n in $NAMES; do printf '  .word s%d\n' $i; i=$((i+1)); done
