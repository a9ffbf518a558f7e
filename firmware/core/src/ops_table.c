/* The kernel registry: every op this build knows, its prepare functions and dtype families. */
#include "k_signal.h"
#include "ops_table.h"

/* A family whose kernels this build leaves out (QS_WITH_FLOAT=0, QS_WITH_INT16=0) moves to the
 * high nibble: declared, not built. DT_I16/DT_F32 are arithmetic (compiled out with their
 * family); DT_MOVE is data movement or conversion, the same bytes in every build. */
#define DT_I8 QS_FAM_INT8
#define DT_I16 (QS_WITH_INT16 ? QS_FAM_INT16 : QS_FAM_INT16 << 4)
#define DT_F32 (QS_WITH_FLOAT ? QS_FAM_FLOAT32 : QS_FAM_FLOAT32 << 4)
#define DT_MOVE_I16 QS_FAM_INT16
#define DT_MOVE_F32 QS_FAM_FLOAT32
#define DT_MOVE (QS_FAM_INT8 | QS_FAM_INT16 | QS_FAM_FLOAT32)
#define DT_OTHER QS_FAM_OTHER /* none of the three (bool-only ops) */

#if QS_WITH_FLOAT
#define F32(fn) , fn
#else
#define F32(fn)
#endif

/* An entry without `dtypes` is valid C (the field reads 0: not declared), not a warning. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
const op_entry_t qs_k_ops[] = {
    {OP_ADD, "ADD", qs_prep_add F32(qs_prep_add_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_AVERAGE_POOL_2D, "AVERAGE_POOL_2D", qs_prep_pool F32(qs_prep_pool_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_CONV_2D, "CONV_2D", qs_prep_conv F32(qs_prep_conv_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_DEPTHWISE_CONV_2D, "DEPTHWISE_CONV_2D", qs_prep_dwconv F32(qs_prep_dwconv_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_DEQUANTIZE, "DEQUANTIZE", qs_prep_dequantize F32(NULL), DT_I8 | DT_I16 | DT_MOVE_F32},
    {OP_FULLY_CONNECTED, "FULLY_CONNECTED", qs_prep_fc F32(qs_prep_fc_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_LOGISTIC, "LOGISTIC", qs_prep_logistic F32(qs_prep_unary_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_MAX_POOL_2D, "MAX_POOL_2D", qs_prep_pool F32(qs_prep_pool_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_RESHAPE, "RESHAPE", qs_prep_reshape F32(NULL), DT_MOVE},
    {OP_SOFTMAX, "SOFTMAX", qs_prep_softmax F32(qs_prep_softmax_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_SQUEEZE, "SQUEEZE", qs_prep_reshape F32(NULL), DT_MOVE},
    {OP_EXPAND_DIMS, "EXPAND_DIMS", qs_prep_reshape F32(NULL), DT_MOVE},
    {OP_SUB, "SUB", qs_prep_add F32(qs_prep_add_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_QUANTIZE, "QUANTIZE", qs_prep_quantize F32(NULL), DT_I8 | DT_I16 | DT_MOVE_F32},
    {OP_MUL, "MUL", qs_prep_add F32(qs_prep_add_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_RELU, "RELU", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_RELU6, "RELU6", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_LEAKY_RELU, "LEAKY_RELU", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_TANH, "TANH", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_HARD_SWISH, "HARD_SWISH", qs_prep_act F32(qs_prep_unary_f32), DT_I8 | DT_F32},
    {OP_PAD, "PAD", qs_prep_pad F32(NULL), DT_MOVE},
    {OP_PADV2, "PADV2", qs_prep_pad F32(NULL), DT_MOVE},
    {OP_CONCATENATION, "CONCATENATION", qs_prep_concat F32(NULL), DT_MOVE},
    {OP_PACK, "PACK", qs_prep_concat F32(NULL), DT_MOVE},
    {OP_TRANSPOSE, "TRANSPOSE", qs_prep_transpose F32(NULL), DT_MOVE},
    {OP_SHAPE, "SHAPE", qs_prep_shape F32(NULL), DT_MOVE},
    {OP_ARG_MAX, "ARG_MAX", qs_prep_argmax F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_MEAN, "MEAN", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_SUM, "SUM", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_I16 | DT_F32},
    {OP_REDUCE_MAX, "REDUCE_MAX", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_F32},
    {OP_REDUCE_MIN, "REDUCE_MIN", qs_prep_reduce F32(qs_prep_reduce_f32), DT_I8 | DT_F32},
    {OP_RESIZE_BILINEAR, "RESIZE_BILINEAR", qs_prep_resize_bilinear F32(NULL), DT_I8 | DT_F32},
    {OP_BATCH_MATMUL, "BATCH_MATMUL", qs_prep_batch_matmul F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_DETECTION_POSTPROCESS, "TFLite_Detection_PostProcess", qs_prep_detection F32(NULL), DT_F32},
    /* TFLite Micro's signal library (k_signal*.c): integer kernels, in every build but QS_WITH_SIGNAL=0
     * (k_signal.h) (DT_MOVE_I16 for int16, DT_OTHER for uint32/uint64 sides) */
    {OP_SIGNAL_WINDOW, "SignalWindow", QS_SIG_ENTRY(qs_prep_sig_window, DT_MOVE_I16)},
    {OP_SIGNAL_FFT_AUTO_SCALE, "SignalFftAutoScale", QS_SIG_ENTRY(qs_prep_sig_fft_auto_scale, DT_MOVE_I16)},
    {OP_SIGNAL_RFFT, "SignalRfft", QS_SIG_ENTRY(qs_prep_sig_rfft, DT_MOVE_I16)},
    {OP_SIGNAL_IRFFT, "SignalIrfft", QS_SIG_ENTRY(qs_prep_sig_rfft, DT_MOVE_I16)},
    {OP_SIGNAL_ENERGY, "SignalEnergy", QS_SIG_ENTRY(qs_prep_sig_energy, DT_MOVE_I16 | DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK, "SignalFilterBank", QS_SIG_ENTRY(qs_prep_sig_filter_bank, DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK_SQUARE_ROOT, "SignalFilterBankSquareRoot", QS_SIG_ENTRY(qs_prep_sig_sqrt, DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK_SPECTRAL_SUBTRACTION, "SignalFilterBankSpectralSubtraction", QS_SIG_ENTRY(qs_prep_sig_spectral_sub, DT_OTHER)},
    {OP_SIGNAL_FILTER_BANK_LOG, "SignalFilterBankLog", QS_SIG_ENTRY(qs_prep_sig_log, DT_OTHER | DT_MOVE_I16)},
    {OP_SIGNAL_PCAN, "SignalPCAN", QS_SIG_ENTRY(qs_prep_sig_pcan, DT_OTHER)},
    {OP_SIGNAL_FRAMER, "SignalFramer", QS_SIG_ENTRY(qs_prep_sig_framer, DT_MOVE_I16)},
    {OP_SIGNAL_DELAY, "SignalDelay", QS_SIG_ENTRY(qs_prep_sig_delay, DT_MOVE_I16)},
    {OP_SIGNAL_STACKER, "SignalStacker", QS_SIG_ENTRY(qs_prep_sig_stacker, DT_MOVE_I16)},
    {OP_SIGNAL_OVERLAP_ADD, "SignalOverlapAdd", QS_SIG_ENTRY(qs_prep_sig_overlap_add, DT_MOVE_I16 | DT_F32)},
    {OP_STRIDED_SLICE, "STRIDED_SLICE", qs_prep_strided_slice F32(NULL), DT_MOVE},
    {OP_RESIZE_NEAREST_NEIGHBOR, "RESIZE_NEAREST_NEIGHBOR", qs_prep_resize_nn F32(NULL), DT_MOVE},
    /* element-wise and math ops: one prepare per family handles every dtype */
    {OP_SQUARED_DIFFERENCE, "SQUARED_DIFFERENCE", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_MAXIMUM, "MAXIMUM", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_MINIMUM, "MINIMUM", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_DIV, "DIV", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_PRELU, "PRELU", qs_prep_binary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_LESS, "LESS", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_LESS_EQUAL, "LESS_EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_GREATER, "GREATER", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_GREATER_EQUAL, "GREATER_EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_EQUAL, "EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_NOT_EQUAL, "NOT_EQUAL", qs_prep_binary F32(NULL), DT_I8 | DT_F32},
    {OP_LOGICAL_AND, "LOGICAL_AND", qs_prep_binary F32(NULL), DT_OTHER /* bool only */},
    {OP_LOGICAL_OR, "LOGICAL_OR", qs_prep_binary F32(NULL), DT_OTHER /* bool only */},
    {OP_SELECT_V2, "SELECT_V2", qs_prep_binary F32(NULL), DT_I8 | DT_MOVE_I16 | DT_F32},
    {OP_FLOOR_DIV, "FLOOR_DIV", qs_prep_binary F32(NULL), DT_F32},
    {OP_FLOOR_MOD, "FLOOR_MOD", qs_prep_binary F32(NULL), DT_F32},
    {OP_CAST, "CAST", qs_prep_unary F32(NULL), DT_I8 | DT_MOVE_I16 | DT_F32},
    {OP_ABS, "ABS", qs_prep_unary F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_NEG, "NEG", qs_prep_unary F32(NULL), DT_F32},
    {OP_SQRT, "SQRT", qs_prep_unary F32(NULL), DT_F32},
    {OP_RSQRT, "RSQRT", qs_prep_unary F32(NULL), DT_I8 | DT_F32},
    {OP_EXP, "EXP", qs_prep_unary F32(NULL), DT_F32},
    {OP_LOG, "LOG", qs_prep_unary F32(NULL), DT_F32},
    {OP_SIN, "SIN", qs_prep_unary F32(NULL), DT_F32},
    {OP_COS, "COS", qs_prep_unary F32(NULL), DT_F32},
    {OP_SQUARE, "SQUARE", qs_prep_unary F32(NULL), DT_F32},
    {OP_FLOOR, "FLOOR", qs_prep_unary F32(NULL), DT_F32},
    {OP_CEIL, "CEIL", qs_prep_unary F32(NULL), DT_F32},
    {OP_ROUND, "ROUND", qs_prep_unary F32(NULL), DT_F32},
    {OP_ELU, "ELU", qs_prep_unary F32(NULL), DT_F32 | (QS_WITH_FLOAT ? DT_I8 : DT_I8 << 4) /* int8: a table of expf */},
    {OP_LOGICAL_NOT, "LOGICAL_NOT", qs_prep_unary F32(NULL), DT_OTHER /* bool only */},
    {OP_LOG_SOFTMAX, "LOG_SOFTMAX", qs_prep_rownorm F32(NULL), DT_I8 | DT_F32},
    {OP_L2_NORMALIZATION, "L2_NORMALIZATION", qs_prep_rownorm F32(NULL), DT_I8 | DT_F32},
    {OP_SPLIT, "SPLIT", qs_prep_split F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_SPLIT_V, "SPLIT_V", qs_prep_split F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_UNPACK, "UNPACK", qs_prep_split F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_GATHER, "GATHER", qs_prep_gather F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_GATHER_ND, "GATHER_ND", qs_prep_gather_nd F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_SLICE, "SLICE", qs_prep_slice F32(NULL), DT_I8 | DT_MOVE_I16 | DT_MOVE_F32},
    {OP_ARG_MIN, "ARG_MIN", qs_prep_argmax F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_DEPTH_TO_SPACE, "DEPTH_TO_SPACE", qs_prep_depth_space F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_SPACE_TO_DEPTH, "SPACE_TO_DEPTH", qs_prep_depth_space F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_SPACE_TO_BATCH_ND, "SPACE_TO_BATCH_ND", qs_prep_space_batch F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_BATCH_TO_SPACE_ND, "BATCH_TO_SPACE_ND", qs_prep_space_batch F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_FILL, "FILL", qs_prep_fill F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_ZEROS_LIKE, "ZEROS_LIKE", qs_prep_fill F32(NULL), DT_I8 | DT_MOVE_F32},
    {OP_BROADCAST_TO, "BROADCAST_TO", qs_prep_broadcast_to F32(NULL), DT_MOVE},
    {OP_TRANSPOSE_CONV, "TRANSPOSE_CONV", qs_prep_transpose_conv F32(NULL), DT_I8 | DT_I16 | DT_F32},
    {OP_UNIDIRECTIONAL_SEQUENCE_LSTM, "UNIDIRECTIONAL_SEQUENCE_LSTM", qs_prep_lstm F32(NULL),
     (QS_WITH_INT16 ? DT_I8 : DT_I8 << 4) /* int8: an int16 cell state */ | DT_I16 | DT_F32},
    {OP_SVDF, "SVDF", qs_prep_svdf F32(NULL), DT_I8 | DT_F32},
    /* resource variables and the init subgraph (k_var.c): bytes moved as they are */
    {OP_VAR_HANDLE, "VAR_HANDLE", qs_prep_var_handle F32(NULL), DT_OTHER},
    {OP_READ_VARIABLE, "READ_VARIABLE", qs_prep_read_variable F32(NULL), DT_MOVE},
    {OP_ASSIGN_VARIABLE, "ASSIGN_VARIABLE", qs_prep_assign_variable F32(NULL), DT_MOVE},
    {OP_CALL_ONCE, "CALL_ONCE", qs_prep_call_once F32(NULL), DT_OTHER},
    /* control flow over subgraphs (k_flow.c): the loop variables and branch values copied as they are */
    {OP_WHILE, "WHILE", qs_prep_while F32(NULL), DT_MOVE | DT_OTHER},
    {OP_IF, "IF", qs_prep_if F32(NULL), DT_MOVE | DT_OTHER},
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
const size_t qs_n_ops = sizeof(qs_k_ops) / sizeof(qs_k_ops[0]);
