<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AboutBox</name>
    <message>
        <source>not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <source>An inspector for TensorFlow models: frozen graphs, checkpoints, SavedModels and weights files. Browse ops by name scope, preview weights, export them, compare two models, restore weights into a model, and unfreeze a frozen graph to a trainable checkpoint.</source>
        <translation>TensorFlow 模型查看器：支持冻结图、检查点、SavedModel 和权重文件。可按名称作用域浏览算子、预览和导出权重、比较两个模型、将权重恢复到模型中，以及把冻结图解冻为可训练的检查点。</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>About pbscope</source>
        <translation>关于 pbscope</translation>
    </message>
</context>
<context>
    <name>DetailsView</name>
    <message>
        <source>tf1-read (a Const read through X/read)</source>
        <translation>tf1-read（通过 X/read 读取的 Const）</translation>
    </message>
    <message>
        <source>tf2-resource (a frozen resource variable)</source>
        <translation>tf2-resource（冻结的资源变量）</translation>
    </message>
    <message>
        <source>folded (a Const read at a weight slot)</source>
        <translation>folded（在权重输入位读取的 Const）</translation>
    </message>
    <message>
        <source>variable (an unfrozen graph&apos;s variable)</source>
        <translation>variable（未冻结图中的变量）</translation>
    </message>
    <message>
        <source>checkpoint (a variable valued from the checkpoint)</source>
        <translation>checkpoint（取值自检查点的变量）</translation>
    </message>
    <message>
        <source>checkpoint (optimizer state)</source>
        <translation>checkpoint（优化器状态）</translation>
    </message>
    <message>
        <source>weights file (a tensor of the file)</source>
        <translation>权重文件（文件中的张量）</translation>
    </message>
    <message>
        <source>const</source>
        <translation>const</translation>
    </message>
    <message>
        <source>structural constant</source>
        <translation>结构常量</translation>
    </message>
    <message>
        <source>… and {n} more</source>
        <translation>……另有 {n} 个</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source> in the graph · {ops} inside {n} function of its library</source>
        <translation> 个在图中 · {ops} 个在其函数库的 {n} 个函数中</translation>
    </message>
    <message>
        <source> in the graph · {ops} inside {n} functions of its library</source>
        <translation> 个在图中 · {ops} 个在其函数库的 {n} 个函数中</translation>
    </message>
    <message>
        <source>+ {n} kept apart: optimizer slots, step counters or variables the saver skips ({size}), shown in italics, not exported by default</source>
        <translation>+ {n} 个单列：优化器槽、步数计数器或保存器跳过的变量（{size}），以斜体显示，默认不导出</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Ops</source>
        <translation>算子</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Weight bytes</source>
        <translation>权重字节数</translation>
    </message>
    <message>
        <source>Without values</source>
        <translation>无数值</translation>
    </message>
    <message>
        <source>(greyed in the tree: listed, but their values are not in the files opened, so they cannot be previewed or exported)</source>
        <translation>（在树中灰显：已列出，但其数值不在已打开的文件中，因此无法预览或导出）</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Op types ({n})</source>
        <translation>算子类型（{n}）</translation>
    </message>
    <message>
        <source>Select an op in the tree to see its details; tick weights and press Export (Ctrl+E) to write them to a pickle. &lt;b&gt;Model&lt;/b&gt; above any op leads back here.</source>
        <translation>在树中选择一个算子以查看其详情；勾选权重并按“导出”（Ctrl+E）将其写入 pickle 文件。任一算子上方的&lt;b&gt;模型&lt;/b&gt;链接可返回此页。</translation>
    </message>
    <message>
        <source>key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>dtype</source>
        <translation>dtype</translation>
    </message>
    <message>
        <source>shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>Signatures ({n})</source>
        <translation>签名（{n}）</translation>
    </message>
    <message>
        <source>{title} ({n})</source>
        <translation>{title}（{n}）</translation>
    </message>
    <message>
        <source>… and {n} more types</source>
        <translation>……另有 {n} 种类型</translation>
    </message>
    <message>
        <source>Ticked</source>
        <translation>已勾选</translation>
    </message>
    <message>
        <source>{n} of {m}</source>
        <translation>{n} / {m}</translation>
    </message>
    <message>
        <source>function</source>
        <translation>函数</translation>
    </message>
    <message>
        <source>scope</source>
        <translation>作用域</translation>
    </message>
    <message>
        <source>{n} ops</source>
        <translation>{n} 个算子</translation>
    </message>
    <message>
        <source>Children ({n})</source>
        <translation>子项（{n}）</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>(any)</source>
        <translation>（任意）</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>no: a structural constant (a shape, an axis, an epsilon…)</source>
        <translation>否：结构常量（形状、轴、epsilon……）</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>Inputs ({n})</source>
        <translation>输入（{n}）</translation>
    </message>
    <message>
        <source>Control inputs ({n})</source>
        <translation>控制输入（{n}）</translation>
    </message>
    <message>
        <source>control</source>
        <translation>控制</translation>
    </message>
    <message>
        <source>input {slot}</source>
        <translation>输入 {slot}</translation>
    </message>
    <message>
        <source>Consumers ({n})</source>
        <translation>使用者（{n}）</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>none: this op is an output of the graph</source>
        <translation>无：此算子是图的输出</translation>
    </message>
    <message>
        <source>(error)</source>
        <translation>（错误）</translation>
    </message>
    <message>
        <source>cannot decode attributes</source>
        <translation>无法解码属性</translation>
    </message>
    <message>
        <source>Attributes ({n})</source>
        <translation>属性（{n}）</translation>
    </message>
    <message>
        <source>Nested ops ({n})</source>
        <translation>嵌套算子（{n}）</translation>
    </message>
    <message>
        <source> (quantized)</source>
        <translation>（量化）</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>DType</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>字节数</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Checkpoint key</source>
        <translation>检查点键</translation>
    </message>
    <message>
        <source> · not trainable</source>
        <translation> · 不可训练</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>识别规则</translation>
    </message>
    <message>
        <source>yes: not exported by default</source>
        <translation>是：默认不导出</translation>
    </message>
    <message>
        <source>(an optimizer slot, a step counter or a variable the saver skips; tick it to export it)</source>
        <translation>（优化器槽、步数计数器或保存器跳过的变量；勾选后即可导出）</translation>
    </message>
    <message>
        <source>Kept apart</source>
        <translation>单列</translation>
    </message>
    <message>
        <source>none: {error}</source>
        <translation>无：{error}</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>not possible: no values</source>
        <translation>不可导出：无数值</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>ticked</source>
        <translation>已勾选</translation>
    </message>
    <message>
        <source>not ticked</source>
        <translation>未勾选</translation>
    </message>
</context>
<context>
    <name>DiffDialog</name>
    <message>
        <source>Compare weights — pbscope</source>
        <translation>比较权重 — pbscope</translation>
    </message>
    <message>
        <source>a model or weights file (.pb, checkpoint, SavedModel, .pkl, .npz, …)</source>
        <translation>模型或权重文件（.pb、检查点、SavedModel、.pkl、.npz……）</translation>
    </message>
    <message>
        <source>Compare with</source>
        <translation>比较对象</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Filter keys</source>
        <translation>筛选键</translation>
    </message>
    <message>
        <source>{shown:,} of {total:,} keys</source>
        <translation>{shown:,} / {total:,} 个键</translation>
    </message>
    <message>
        <source>{n} weights</source>
        <translation>{n} 个权重</translation>
    </message>
    <message>
        <source>Choose B: a model or weights file to compare with</source>
        <translation>选择 B：要比较的模型或权重文件</translation>
    </message>
    <message>
        <source>cannot compare</source>
        <translation>无法比较</translation>
    </message>
    <message>
        <source>Comparison cancelled</source>
        <translation>已取消比较</translation>
    </message>
    <message>
        <source>Comparing with {name}…</source>
        <translation>正在与 {name} 比较……</translation>
    </message>
    <message>
        <source>Choose B and press Compare: weights are matched by variable name (&lt;code&gt;x&lt;/code&gt; and &lt;code&gt;x:0&lt;/code&gt; are one key) and compared value by value.</source>
        <translation>选择 B 并按“比较”：权重按变量名匹配（&lt;code&gt;x&lt;/code&gt; 与 &lt;code&gt;x:0&lt;/code&gt; 视为同一个键），并逐值比较。</translation>
    </message>
</context>
<context>
    <name>DiffTableModel</name>
    <message>
        <source>differs</source>
        <translation>不同</translation>
    </message>
    <message>
        <source>shape or dtype mismatch</source>
        <translation>形状或 dtype 不匹配</translation>
    </message>
    <message>
        <source>only in A</source>
        <translation>仅在 A 中</translation>
    </message>
    <message>
        <source>only in B</source>
        <translation>仅在 B 中</translation>
    </message>
    <message>
        <source>not compared</source>
        <translation>未比较</translation>
    </message>
    <message>
        <source>equal</source>
        <translation>相等</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>键</translation>
    </message>
    <message>
        <source>A shape</source>
        <translation>A 形状</translation>
    </message>
    <message>
        <source>B shape</source>
        <translation>B 形状</translation>
    </message>
    <message>
        <source>A dtype</source>
        <translation>A dtype</translation>
    </message>
    <message>
        <source>B dtype</source>
        <translation>B dtype</translation>
    </message>
    <message>
        <source>Max abs diff</source>
        <translation>最大绝对差</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Regex</source>
        <translation>正则</translation>
    </message>
    <message>
        <source>Glob</source>
        <translation>通配</translation>
    </message>
    <message>
        <source>Ops whose name contains the text (case-insensitive)</source>
        <translation>名称包含该文本的算子（不区分大小写）</translation>
    </message>
    <message>
        <source>Ops whose name matches the regular expression (case-insensitive)</source>
        <translation>名称匹配该正则表达式的算子（不区分大小写）</translation>
    </message>
    <message>
        <source>Glob on name parts: &apos;weights&apos;, &apos;Conv2d_1*&apos;, &apos;*/BatchNorm/*&apos;</source>
        <translation>按名称各段通配匹配：&apos;weights&apos;、&apos;Conv2d_1*&apos;、&apos;*/BatchNorm/*&apos;</translation>
    </message>
    <message>
        <source>Filter ops by name  (Ctrl+F)</source>
        <translation>按名称筛选算子  (Ctrl+F)</translation>
    </message>
    <message>
        <source>How the pattern matches op names</source>
        <translation>模式如何匹配算子名称</translation>
    </message>
    <message>
        <source>Show only ops of this type</source>
        <translation>仅显示此类型的算子</translation>
    </message>
    <message>
        <source>Weights only</source>
        <translation>仅权重</translation>
    </message>
    <message>
        <source>Show only ops that hold a weight</source>
        <translation>仅显示带有权重的算子</translation>
    </message>
    <message>
        <source>Tick matches</source>
        <translation>勾选匹配项</translation>
    </message>
    <message>
        <source>Tick every weight the filter shows (Ctrl+Shift+M)</source>
        <translation>勾选筛选结果中的所有权重 (Ctrl+Shift+M)</translation>
    </message>
    <message>
        <source>All op types</source>
        <translation>所有算子类型</translation>
    </message>
    <message>
        <source>{shown} of {total} ops</source>
        <translation>{shown} / {total} 个算子</translation>
    </message>
    <message>
        <source>{total} ops</source>
        <translation>{total} 个算子</translation>
    </message>
    <message>
        <source>invalid pattern</source>
        <translation>无效的模式</translation>
    </message>
</context>
<context>
    <name>GraphCanvas</name>
    <message>
        <source>+{n} more</source>
        <translation>+ 另有 {n} 个</translation>
    </message>
</context>
<context>
    <name>GraphPane</name>
    <message>
        <source>Laying out…</source>
        <translation>正在布局……</translation>
    </message>
    <message>
        <source>Top → bottom</source>
        <translation>上 → 下</translation>
    </message>
    <message>
        <source>Data flows top to bottom; click for left to right</source>
        <translation>数据自上而下流动；点击改为从左到右</translation>
    </message>
    <message>
        <source>Constants</source>
        <translation>常量</translation>
    </message>
    <message>
        <source>Draw every constant as its own node, not folded into the op that reads it</source>
        <translation>将每个常量绘制为独立节点，而不是并入读取它的算子</translation>
    </message>
    <message>
        <source>Collapse</source>
        <translation>折叠</translation>
    </message>
    <message>
        <source>Close every opened scope</source>
        <translation>关闭所有已展开的作用域</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应</translation>
    </message>
    <message>
        <source>Fit the picture in the pane (F)</source>
        <translation>使图适应窗格大小 (F)</translation>
    </message>
    <message>
        <source>cannot draw the graph</source>
        <translation>无法绘制图</translation>
    </message>
    <message>
        <source>Left → right</source>
        <translation>左 → 右</translation>
    </message>
    <message>
        <source>Data flows left to right; click for top to bottom</source>
        <translation>数据从左到右流动；点击改为自上而下</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>The top level</source>
        <translation>顶层</translation>
    </message>
    <message>
        <source>Draw only {path}</source>
        <translation>仅绘制 {path}</translation>
    </message>
    <message>
        <source>Tick {n} Weight</source>
        <translation>勾选 {n} 个权重</translation>
    </message>
    <message>
        <source>Tick {n} Weights</source>
        <translation>勾选 {n} 个权重</translation>
    </message>
    <message>
        <source>Untick</source>
        <translation>取消勾选</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>展开</translation>
    </message>
    <message>
        <source>Draw Only This Scope</source>
        <translation>仅绘制此作用域</translation>
    </message>
    <message>
        <source>Copy Name</source>
        <translation>复制名称</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>The language changes when pbscope is restarted.</source>
        <translation>重新启动 pbscope 后语言才会更改。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Open a model with File ▸ Open or Open Folder, or drop it here</source>
        <translation>通过“文件 ▸ 打开”或“打开文件夹”打开模型，或将其拖放到此处</translation>
    </message>
    <message>
        <source>Models and weights files ({patterns})</source>
        <translation>模型和权重文件 ({patterns})</translation>
    </message>
    <message>
        <source>Frozen graphs (*.pb *.pbtxt *.graphdef)</source>
        <translation>冻结图 (*.pb *.pbtxt *.graphdef)</translation>
    </message>
    <message>
        <source>TF1 checkpoints (*.index *.meta *.data-* checkpoint)</source>
        <translation>TF1 检查点 (*.index *.meta *.data-* checkpoint)</translation>
    </message>
    <message>
        <source>SavedModels (saved_model.pb saved_model.pbtxt)</source>
        <translation>SavedModel (saved_model.pb saved_model.pbtxt)</translation>
    </message>
    <message>
        <source>Keras models (*.keras *.h5 *.hdf5)</source>
        <translation>Keras 模型 (*.keras *.h5 *.hdf5)</translation>
    </message>
    <message>
        <source>TensorFlow Lite models (*.tflite)</source>
        <translation>TensorFlow Lite 模型 (*.tflite)</translation>
    </message>
    <message>
        <source>TF.js models (model.json *.json)</source>
        <translation>TF.js 模型 (model.json *.json)</translation>
    </message>
    <message>
        <source>Weights files (*.pkl *.pickle *.npz *.safetensors *.npy)</source>
        <translation>权重文件 (*.pkl *.pickle *.npz *.safetensors *.npy)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Open a model with File ▸ Open (Ctrl+O) or Open Folder (Ctrl+Shift+O), or drop it here: a frozen graph (.pb/.pbtxt), a TF1 checkpoint, a SavedModel folder, or a weights file (.pkl/.npz/.safetensors/.npy).</source>
        <translation>通过“文件 ▸ 打开”（Ctrl+O）或“打开文件夹”（Ctrl+Shift+O）打开模型，或将其拖放到此处：冻结图（.pb/.pbtxt）、TF1 检查点、SavedModel 文件夹或权重文件（.pkl/.npz/.safetensors/.npy）。</translation>
    </message>
    <message>
        <source>building the scope tree</source>
        <translation>正在构建作用域树</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消……</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a model or weights file: .pb/.pbtxt, a checkpoint&apos;s .index/.meta, saved_model.pb, .pkl/.npz/.safetensors/.npy</source>
        <translation>打开模型或权重文件：.pb/.pbtxt、检查点的 .index/.meta、saved_model.pb、.pkl/.npz/.safetensors/.npy</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Open a SavedModel folder, a checkpoint folder or a folder of .npy files</source>
        <translation>打开 SavedModel 文件夹、检查点文件夹或 .npy 文件所在的文件夹</translation>
    </message>
    <message>
        <source>&amp;Compare With…</source>
        <translation>比较(&amp;C)…</translation>
    </message>
    <message>
        <source>Compare the open model&apos;s weights with another model or weights file</source>
        <translation>将已打开模型的权重与另一个模型或权重文件进行比较</translation>
    </message>
    <message>
        <source>&amp;Restore into Model…</source>
        <translation>恢复到模型(&amp;R)…</translation>
    </message>
    <message>
        <source>Restore weights into a model you choose (a checkpoint, a Keras file, a Python builder), with a match plan first</source>
        <translation>将权重恢复到所选模型（检查点、Keras 文件、Python 构建脚本）中，先给出匹配方案</translation>
    </message>
    <message>
        <source>&amp;Unfreeze to Checkpoint…</source>
        <translation>解冻为检查点(&amp;U)…</translation>
    </message>
    <message>
        <source>Turn the ticked weights of this frozen graph into variables of a trainable TF1 checkpoint</source>
        <translation>将此冻结图中已勾选的权重转换为可训练 TF1 检查点中的变量</translation>
    </message>
    <message>
        <source>&amp;Model Summary</source>
        <translation>模型摘要(&amp;M)</translation>
    </message>
    <message>
        <source>Show the model&apos;s summary (its format, inputs, outputs, signatures)</source>
        <translation>显示模型摘要（格式、输入、输出、签名）</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>Export &amp;As…</source>
        <translation>导出为(&amp;A)…</translation>
    </message>
    <message>
        <source>Choose where and in which format to export the ticked weights</source>
        <translation>选择导出已勾选权重的位置和格式</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Filter the ops tree</source>
        <translation>筛选算子树</translation>
    </message>
    <message>
        <source>&amp;Clear Filter</source>
        <translation>清除筛选(&amp;C)</translation>
    </message>
    <message>
        <source>Tick &amp;All Weights</source>
        <translation>勾选全部权重(&amp;A)</translation>
    </message>
    <message>
        <source>Tick &amp;None</source>
        <translation>全部取消勾选(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Invert Ticks</source>
        <translation>反选(&amp;I)</translation>
    </message>
    <message>
        <source>Tick &amp;Matches</source>
        <translation>勾选匹配项(&amp;M)</translation>
    </message>
    <message>
        <source>Tick every weight the filter shows</source>
        <translation>勾选筛选结果中的所有权重</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>后退(&amp;B)</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>后退</translation>
    </message>
    <message>
        <source>&amp;Forward</source>
        <translation>前进(&amp;F)</translation>
    </message>
    <message>
        <source>Go forward</source>
        <translation>前进</translation>
    </message>
    <message>
        <source>&amp;Expand All</source>
        <translation>全部展开(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Collapse All</source>
        <translation>全部折叠(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;About pbscope</source>
        <translation>关于 pbscope(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Graph</source>
        <translation>图(&amp;G)</translation>
    </message>
    <message>
        <source>Show how the ops connect, beside the tree</source>
        <translation>在树旁显示算子之间的连接</translation>
    </message>
    <message>
        <source>Export Graph &amp;Picture…</source>
        <translation>导出图的图片(&amp;P)…</translation>
    </message>
    <message>
        <source>Save the graph as drawn (scopes opened as they are) as SVG or PNG</source>
        <translation>将当前绘制的图（作用域保持当前展开状态）保存为 SVG 或 PNG</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Clear Recent Files</source>
        <translation>清除最近文件</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>没有最近文件</translation>
    </message>
    <message>
        <source>Open a model or weights file</source>
        <translation>打开模型或权重文件</translation>
    </message>
    <message>
        <source>Open a SavedModel, checkpoint or npy folder</source>
        <translation>打开 SavedModel、检查点或 npy 文件夹</translation>
    </message>
    <message>
        <source>cannot open it</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <source>Opening {name}…</source>
        <translation>正在打开 {name}……</translation>
    </message>
    <message>
        <source>Opening {name} cancelled</source>
        <translation>已取消打开 {name}</translation>
    </message>
    <message>
        <source>Opened {name} · {format} · {ops} ops, {weights} weights ({size}) in {seconds} s</source>
        <translation>已打开 {name} · {format} · {ops} 个算子，{weights} 个权重（{size}），用时 {seconds} 秒</translation>
    </message>
    <message>
        <source>invalid regular expression: {error}</source>
        <translation>无效的正则表达式：{error}</translation>
    </message>
    <message>
        <source>Too many ops to expand everything; filter first</source>
        <translation>算子过多，无法全部展开；请先筛选</translation>
    </message>
    <message>
        <source>Ticked {n} more weights</source>
        <translation>又勾选了 {n} 个权重</translation>
    </message>
    <message>
        <source>; {n} kept-apart ones (optimizer slots, step counters) left as they were: filter for them alone to tick them</source>
        <translation>；{n} 个单列权重（优化器槽、步数计数器）保持原样：单独筛选出它们即可勾选</translation>
    </message>
    <message>
        <source>Open a frozen graph (.pb or .pbtxt) first</source>
        <translation>请先打开冻结图（.pb 或 .pbtxt）</translation>
    </message>
    <message>
        <source>Unfreeze needs a frozen graph (.pb or .pbtxt); this is a {format}, whose weights are variables already</source>
        <translation>解冻需要冻结图（.pb 或 .pbtxt）；当前为 {format}，其权重已经是变量</translation>
    </message>
    <message>
        <source>Nothing is ticked: tick the weights that should become variables</source>
        <translation>未勾选任何权重：请勾选要转换为变量的权重</translation>
    </message>
    <message>
        <source>Write a TF1 checkpoint in which the {n} ticked weights are trainable variables (Ctrl+U)</source>
        <translation>写入一个 TF1 检查点，其中 {n} 个已勾选的权重为可训练变量 (Ctrl+U)</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>无模型</translation>
    </message>
    <message>
        <source>Open a model first</source>
        <translation>请先打开模型</translation>
    </message>
    <message>
        <source> + {n} kept apart</source>
        <translation> + {n} 个单列</translation>
    </message>
    <message>
        <source> · {n} without values</source>
        <translation> · {n} 个无数值</translation>
    </message>
    <message>
        <source>Ticked {n} of {total} weights{extra} · {params} params · {size}</source>
        <translation>已勾选 {n} / {total} 个权重{extra} · {params} 参数 · {size}</translation>
    </message>
    <message>
        <source>{n} kept-apart weights (optimizer slots, step counters, unsaved variables) are not ticked by Tick All; tick them in the tree to export them</source>
        <translation>{n} 个单列权重（优化器槽、步数计数器、未保存的变量）不会被“勾选全部权重”勾选；如需导出，请在树中勾选</translation>
    </message>
    <message>
        <source>{n} weights have no values in the files opened and cannot be ticked or exported</source>
        <translation>{n} 个权重在已打开的文件中没有数值，无法勾选或导出</translation>
    </message>
    <message>
        <source>Write the {n} ticked weights to {path} (Ctrl+E)</source>
        <translation>将 {n} 个已勾选的权重写入 {path} (Ctrl+E)</translation>
    </message>
    <message>
        <source>Nothing is ticked: tick weights in the tree to export them</source>
        <translation>未勾选任何权重：请在树中勾选要导出的权重</translation>
    </message>
    <message>
        <source>No op named {path}</source>
        <translation>没有名为 {path} 的算子</translation>
    </message>
    <message>
        <source>Tick {n} kept-apart weight</source>
        <translation>勾选 {n} 个单列权重</translation>
    </message>
    <message>
        <source>Tick {n} kept-apart weights</source>
        <translation>勾选 {n} 个单列权重</translation>
    </message>
    <message>
        <source>Tick {n} weight</source>
        <translation>勾选 {n} 个权重</translation>
    </message>
    <message>
        <source>Tick {n} weights</source>
        <translation>勾选 {n} 个权重</translation>
    </message>
    <message>
        <source>Untick</source>
        <translation>取消勾选</translation>
    </message>
    <message>
        <source>Copy Name</source>
        <translation>复制名称</translation>
    </message>
    <message>
        <source>Copy Export Key</source>
        <translation>复制导出键</translation>
    </message>
    <message>
        <source>Copy Checkpoint Key</source>
        <translation>复制检查点键</translation>
    </message>
    <message>
        <source>Export ticked weights</source>
        <translation>导出已勾选的权重</translation>
    </message>
    <message>
        <source>{n} of the ticked weights are stored quantized (TFLite). Write them as float32 real values, (q − zero point) × scale?

No writes the stored values.</source>
        <translation>已勾选的权重中有 {n} 个以量化形式存储（TFLite）。要将其写为 float32 实数值，即 (q − 零点) × 缩放系数 吗？

选“否”则写入存储的原始值。</translation>
    </message>
    <message>
        <source>{n} of the ticked weights are stored quantized (TF.js) and read as float32 real values. Write the stored uint8/uint16/float16 values instead?

No writes the real values.</source>
        <translation>已勾选的权重中有 {n} 个以量化形式存储（TF.js），读取为 float32 实数值。要改为写入存储的 uint8/uint16/float16 值吗？

选“否”则写入实数值。</translation>
    </message>
    <message>
        <source>cannot export</source>
        <translation>无法导出</translation>
    </message>
    <message>
        <source>Exporting {n} weights to {path}…</source>
        <translation>正在将 {n} 个权重导出到 {path}……</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written</source>
        <translation>已取消导出；未写入任何内容</translation>
    </message>
    <message>
        <source>; {n} weight without values left out</source>
        <translation>；已略过 {n} 个无数值的权重</translation>
    </message>
    <message>
        <source>; {n} weights without values left out</source>
        <translation>；已略过 {n} 个无数值的权重</translation>
    </message>
    <message>
        <source>Exported {n} tensors ({size}) to {path}</source>
        <translation>已将 {n} 个张量（{size}）导出到 {path}</translation>
    </message>
    <message>
        <source>Compare the open model with</source>
        <translation>将已打开的模型与之比较</translation>
    </message>
    <message>
        <source>{key} is not in the open model</source>
        <translation>{key} 不在已打开的模型中</translation>
    </message>
    <message>
        <source>Restore complete — pbscope</source>
        <translation>恢复完成 — pbscope</translation>
    </message>
    <message>
        <source>Restored {n} variables</source>
        <translation>已恢复 {n} 个变量</translation>
    </message>
    <message>
        <source>Unfreeze into a new folder</source>
        <translation>解冻到新文件夹</translation>
    </message>
    <message>
        <source>Folder (*)</source>
        <translation>文件夹 (*)</translation>
    </message>
    <message>
        <source>cannot unfreeze</source>
        <translation>无法解冻</translation>
    </message>
    <message>
        <source>Unfreezing {n} weights into {path} (TensorFlow loads the first time)…</source>
        <translation>正在将 {n} 个权重解冻到 {path}（首次需加载 TensorFlow）……</translation>
    </message>
    <message>
        <source>Unfreeze cancelled; nothing was written</source>
        <translation>已取消解冻；未写入任何内容</translation>
    </message>
    <message>
        <source>Load it in TF1 to train:</source>
        <translation>在 TF1 中加载以进行训练：</translation>
    </message>
    <message>
        <source>Variables ({n}):</source>
        <translation>变量（{n}）：</translation>
    </message>
    <message>
        <source>Unfreeze complete — pbscope</source>
        <translation>解冻完成 — pbscope</translation>
    </message>
    <message>
        <source>{n} weights are variables of a trainable TF1 checkpoint</source>
        <translation>{n} 个权重已成为可训练 TF1 检查点中的变量</translation>
    </message>
    <message>
        <source>Show the graph first (View ▸ Graph, Ctrl+G)</source>
        <translation>请先显示图（视图 ▸ 图，Ctrl+G）</translation>
    </message>
    <message>
        <source>Export Graph Picture</source>
        <translation>导出图的图片</translation>
    </message>
    <message>
        <source>SVG picture (*.svg);;PNG picture (*.png)</source>
        <translation>SVG 图片 (*.svg);;PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Wrote {path}</source>
        <translation>已写入 {path}</translation>
    </message>
    <message>
        <source>cannot write the picture</source>
        <translation>无法写入图片</translation>
    </message>
</context>
<context>
    <name>OpTreeModel</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>DType</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>kept apart: not exported by default (tick it to export it)</source>
        <translation>单列：默认不导出（勾选后即可导出）</translation>
    </message>
    <message>
        <source>{n} op</source>
        <translation>{n} 个算子</translation>
    </message>
    <message>
        <source>{n} ops</source>
        <translation>{n} 个算子</translation>
    </message>
    <message>
        <source>{n} weight</source>
        <translation>{n} 个权重</translation>
    </message>
    <message>
        <source>{n} weights</source>
        <translation>{n} 个权重</translation>
    </message>
    <message>
        <source>function · {n} op</source>
        <translation>函数 · {n} 个算子</translation>
    </message>
    <message>
        <source>function · {n} ops</source>
        <translation>函数 · {n} 个算子</translation>
    </message>
    <message>
        <source>{type} op</source>
        <translation>{type} 算子</translation>
    </message>
    <message>
        <source>weight {key}  {shape} {dtype}</source>
        <translation>权重 {key}  {shape} {dtype}</translation>
    </message>
    <message>
        <source>checkpoint key {key}</source>
        <translation>检查点键 {key}</translation>
    </message>
    <message>
        <source>no values, cannot be exported: {error}</source>
        <translation>无数值，无法导出：{error}</translation>
    </message>
    <message>
        <source>a function of the graph&apos;s function library</source>
        <translation>图的函数库中的一个函数</translation>
    </message>
    <message>
        <source>{ops} ops, {weights} weights, {params} params, {size}</source>
        <translation>{ops} 个算子，{weights} 个权重，{params} 个参数，{size}</translation>
    </message>
</context>
<context>
    <name>PathField</name>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
</context>
<context>
    <name>PlanTableModel</name>
    <message>
        <source>matched</source>
        <translation>已匹配</translation>
    </message>
    <message>
        <source>mismatch</source>
        <translation>不匹配</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <source>Target variable</source>
        <translation>目标变量</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>DType</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>可训练</translation>
    </message>
    <message>
        <source>Source key</source>
        <translation>源键</translation>
    </message>
    <message>
        <source>Source shape</source>
        <translation>源形状</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>no source key has this name</source>
        <translation>没有同名的源键</translation>
    </message>
    <message>
        <source>from {source} {shape}</source>
        <translation>来自 {source} {shape}</translation>
    </message>
    <message>
        <source>unticked: keeps the target&apos;s own value</source>
        <translation>未勾选：保留目标自身的值</translation>
    </message>
    <message>
        <source>untick to keep the target&apos;s own value</source>
        <translation>取消勾选以保留目标自身的值</translation>
    </message>
</context>
<context>
    <name>PreviewPanel</name>
    <message>
        <source>min</source>
        <translation>最小值</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最大值</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>zeros</source>
        <translation>零值</translation>
    </message>
    <message>
        <source>NaN</source>
        <translation>NaN</translation>
    </message>
    <message>
        <source>Inf</source>
        <translation>Inf</translation>
    </message>
    <message>
        <source>elements</source>
        <translation>元素数</translation>
    </message>
    <message>
        <source>Details…</source>
        <translation>详情…</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Heat map</source>
        <translation>热图</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>log count</source>
        <translation>对数计数</translation>
    </message>
    <message>
        <source>row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Sum over input channels</source>
        <translation>对输入通道求和</translation>
    </message>
    <message>
        <source>First input channel</source>
        <translation>第一个输入通道</translation>
    </message>
    <message>
        <source>Scale each filter</source>
        <translation>逐个缩放卷积核</translation>
    </message>
    <message>
        <source>The filter grid shows 4-D convolution kernels (H×W×Cin×Cout).</source>
        <translation>卷积核网格显示 4 维卷积核（H×W×Cin×Cout）。</translation>
    </message>
    <message>
        <source> · quantized</source>
        <translation> · 量化</translation>
    </message>
    <message>
        <source>quantized: {summary}</source>
        <translation>量化：{summary}</translation>
    </message>
    <message>
        <source>{n} params</source>
        <translation>{n} 个参数</translation>
    </message>
    <message>
        <source>No values to show</source>
        <translation>没有可显示的数值</translation>
    </message>
    <message>
        <source>This weight is listed from the graph, but its values are not in the files that were opened, so it cannot be previewed or exported.</source>
        <translation>此权重列于图中，但其数值不在已打开的文件中，因此无法预览或导出。</translation>
    </message>
    <message>
        <source>computing statistics…</source>
        <translation>正在计算统计信息……</translation>
    </message>
    <message>
        <source>cannot preview it</source>
        <translation>无法预览</translation>
    </message>
    <message>
        <source>{bins} bins over every {step}th of {n} values</source>
        <translation>{bins} 个区间，{n} 个值中每 {step} 个取一个</translation>
    </message>
    <message>
        <source>{bins} bins over {n} values</source>
        <translation>{bins} 个区间，共 {n} 个值</translation>
    </message>
    <message>
        <source>no numeric values</source>
        <translation>没有数值</translation>
    </message>
    <message>
        <source>axis {axis} = {i}</source>
        <translation>轴 {axis} = {i}</translation>
    </message>
    <message>
        <source>slice {axes}</source>
        <translation>切片 {axes}</translation>
    </message>
    <message>
        <source>{h}×{w} shown</source>
        <translation>显示 {h}×{w}</translation>
    </message>
    <message>
        <source>axis {axis}: {i} / {last}</source>
        <translation>轴 {axis}：{i} / {last}</translation>
    </message>
</context>
<context>
    <name>RestoreDialog</name>
    <message>
        <source>A TF1 checkpoint (a prefix, its .meta/.index, or a folder), a Keras .keras/.h5 file, a SavedModel folder, or a Python file that builds the model (then name its function).</source>
        <translation>TF1 检查点（前缀、其 .meta/.index 或文件夹）、Keras .keras/.h5 文件、SavedModel 文件夹，或构建模型的 Python 文件（此时需指定其函数名）。</translation>
    </message>
    <message>
        <source>Models to restore into (*.meta *.index *.keras *.h5 *.py checkpoint);;TF1 checkpoints (*.meta *.index checkpoint);;Keras models (*.keras *.h5);;Python builders (*.py);;All files (*)</source>
        <translation>可恢复到的模型 (*.meta *.index *.keras *.h5 *.py checkpoint);;TF1 检查点 (*.meta *.index checkpoint);;Keras 模型 (*.keras *.h5);;Python 构建脚本 (*.py);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Restore weights into a model — pbscope</source>
        <translation>将权重恢复到模型 — pbscope</translation>
    </message>
    <message>
        <source>A file:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>weights file (.pkl, .npz, .safetensors, npy folder) or any model</source>
        <translation>权重文件（.pkl、.npz、.safetensors、npy 文件夹）或任意模型</translation>
    </message>
    <message>
        <source>Restore from</source>
        <translation>恢复来源</translation>
    </message>
    <message>
        <source>Source: the weights to restore</source>
        <translation>来源：要恢复的权重</translation>
    </message>
    <message>
        <source>model to restore into</source>
        <translation>要恢复到的模型</translation>
    </message>
    <message>
        <source>Restore into</source>
        <translation>恢复到</translation>
    </message>
    <message>
        <source>function that defines the model, e.g. define</source>
        <translation>定义模型的函数，例如 define</translation>
    </message>
    <message>
        <source>Builder function:</source>
        <translation>构建函数：</translation>
    </message>
    <message>
        <source>Target: the model to restore into</source>
        <translation>目标：要恢复到的模型</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Source name or regex (OLD)</source>
        <translation>来源名称或正则（OLD）</translation>
    </message>
    <message>
        <source>Renamed to (NEW)</source>
        <translation>重命名为（NEW）</translation>
    </message>
    <message>
        <source>Add a rename: a scope prefix (OLD → NEW), or a regular expression</source>
        <translation>添加重命名：作用域前缀（OLD → NEW）或正则表达式</translation>
    </message>
    <message>
        <source>Remove the selected rename</source>
        <translation>删除所选重命名</translation>
    </message>
    <message>
        <source>target scopes to skip, comma-separated (globs allowed)</source>
        <translation>要跳过的目标作用域，以逗号分隔（可用通配符）</translation>
    </message>
    <message>
        <source>Except the last layer</source>
        <translation>除最后一层外</translation>
    </message>
    <message>
        <source>Skip the target&apos;s final layer (e.g. to train a new classifier)</source>
        <translation>跳过目标的最后一层（例如用于训练新的分类器）</translation>
    </message>
    <message>
        <source>Strict</source>
        <translation>严格</translation>
    </message>
    <message>
        <source>Refuse to apply unless every trainable target variable is matched</source>
        <translation>除非每个可训练的目标变量都已匹配，否则拒绝应用</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>制定方案</translation>
    </message>
    <message>
        <source>Match the source&apos;s weights to the target&apos;s variables (nothing is written)</source>
        <translation>将来源的权重与目标的变量匹配（不写入任何内容）</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Rename:</source>
        <translation>重命名：</translation>
    </message>
    <message>
        <source>Rename source names before matching: a scope prefix (OLD → NEW), or a regular expression for re.sub when OLD has ()[]{}?*+|^$\</source>
        <translation>匹配前重命名来源名称：作用域前缀（OLD → NEW），或当 OLD 含有 ()[]{}?*+|^$\ 时作为 re.sub 的正则表达式</translation>
    </message>
    <message>
        <source>Exclude:</source>
        <translation>排除：</translation>
    </message>
    <message>
        <source>Filter variables (a scope, a name…)</source>
        <translation>筛选变量（作用域、名称……）</translation>
    </message>
    <message>
        <source>{shown:,} of {total:,} variables</source>
        <translation>{shown:,} / {total:,} 个变量</translation>
    </message>
    <message>
        <source>Tick shown</source>
        <translation>勾选显示项</translation>
    </message>
    <message>
        <source>Tick every matched variable the filter shows</source>
        <translation>勾选筛选结果中所有已匹配的变量</translation>
    </message>
    <message>
        <source>Untick shown</source>
        <translation>取消勾选显示项</translation>
    </message>
    <message>
        <source>Untick every matched variable the filter shows: they keep the target&apos;s values</source>
        <translation>取消勾选筛选结果中所有已匹配的变量：它们保留目标的值</translation>
    </message>
    <message>
        <source>Apply…</source>
        <translation>应用…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The open model, all its weights ({n}): {name}</source>
        <translation>已打开的模型，全部权重（{n}）：{name}</translation>
    </message>
    <message>
        <source>The open model (none is open)</source>
        <translation>已打开的模型（未打开任何模型）</translation>
    </message>
    <message>
        <source>Its ticked weights ({n})</source>
        <translation>其已勾选的权重（{n}）</translation>
    </message>
    <message>
        <source>Its ticked weights</source>
        <translation>其已勾选的权重</translation>
    </message>
    <message>
        <source>Choose the model to restore into</source>
        <translation>选择要恢复到的模型</translation>
    </message>
    <message>
        <source>Name the builder&apos;s function (the one that defines the model)</source>
        <translation>填写构建脚本的函数名（定义模型的那个函数）</translation>
    </message>
    <message>
        <source>Choose the source file, or restore from the open model</source>
        <translation>选择来源文件，或从已打开的模型恢复</translation>
    </message>
    <message>
        <source>cannot plan the restore</source>
        <translation>无法制定恢复方案</translation>
    </message>
    <message>
        <source>Planning cancelled</source>
        <translation>已取消制定方案</translation>
    </message>
    <message>
        <source>Planning: reading {name} (TensorFlow loads the first time)…</source>
        <translation>正在制定方案：读取 {name}（首次需加载 TensorFlow）……</translation>
    </message>
    <message>
        <source>Planned in {seconds} s: nothing written yet. Untick what should keep the target&apos;s values, then Apply.</source>
        <translation>方案已在 {seconds} 秒内制定：尚未写入任何内容。取消勾选应保留目标值的变量，然后点击“应用”。</translation>
    </message>
    <message>
        <source>Press &lt;b&gt;Plan&lt;/b&gt; to see, for every variable of the target, which source weight it gets (matched by name: &lt;code&gt;scope/w&lt;/code&gt;, &lt;code&gt;scope/w:0&lt;/code&gt; and &lt;code&gt;scope/w/read&lt;/code&gt; are one name). Nothing is written until Apply.</source>
        <translation>按&lt;b&gt;制定方案&lt;/b&gt;查看目标的每个变量将获得哪个源权重（按名称匹配：&lt;code&gt;scope/w&lt;/code&gt;、&lt;code&gt;scope/w:0&lt;/code&gt; 和 &lt;code&gt;scope/w/read&lt;/code&gt; 视为同一名称）。在“应用”之前不会写入任何内容。</translation>
    </message>
    <message>
        <source>TF1 checkpoint</source>
        <translation>TF1 检查点</translation>
    </message>
    <message>
        <source>TF1 builder</source>
        <translation>TF1 构建脚本</translation>
    </message>
    <message>
        <source>Keras model</source>
        <translation>Keras 模型</translation>
    </message>
    <message>
        <source>note: {note}</source>
        <translation>注：{note}</translation>
    </message>
    <message>
        <source>strict: {failure}</source>
        <translation>严格：{failure}</translation>
    </message>
    <message>
        <source>, … ({n} more)</source>
        <translation>，……（另有 {n} 个）</translation>
    </message>
    <message>
        <source>Unused source keys ({n}, no target variable has their name; rename with a map): {keys}</source>
        <translation>未使用的源键（{n} 个，没有同名的目标变量；可用重命名映射处理）：{keys}</translation>
    </message>
    <message>
        <source>Every source key names a target variable.</source>
        <translation>每个源键都对应一个目标变量。</translation>
    </message>
    <message>
        <source>Make a plan first</source>
        <translation>请先制定方案</translation>
    </message>
    <message>
        <source>Strict: {failure}</source>
        <translation>严格：{failure}</translation>
    </message>
    <message>
        <source>Nothing to apply: no matched variable is ticked</source>
        <translation>无可应用的内容：未勾选任何已匹配的变量</translation>
    </message>
    <message>
        <source>Write a new model with the {n} ticked matched variables set from the source</source>
        <translation>写入一个新模型，其中 {n} 个已勾选的已匹配变量取自来源</translation>
    </message>
    <message>
        <source>Apply {n} of {m}…</source>
        <translation>应用 {n} / {m}…</translation>
    </message>
    <message>
        <source>Untick all under {scope}/</source>
        <translation>取消勾选 {scope}/ 下的全部</translation>
    </message>
    <message>
        <source>Tick all under {scope}/</source>
        <translation>勾选 {scope}/ 下的全部</translation>
    </message>
    <message>
        <source>Write the restored Keras model to</source>
        <translation>将恢复后的 Keras 模型写入</translation>
    </message>
    <message>
        <source>Keras model (*.keras);;HDF5 model (*.h5);;Keras weights (*.weights.h5)</source>
        <translation>Keras 模型 (*.keras);;HDF5 模型 (*.h5);;Keras 权重 (*.weights.h5)</translation>
    </message>
    <message>
        <source>Write the restored checkpoint into a new folder</source>
        <translation>将恢复后的检查点写入新文件夹</translation>
    </message>
    <message>
        <source>Folder (*)</source>
        <translation>文件夹 (*)</translation>
    </message>
    <message>
        <source>cannot restore</source>
        <translation>无法恢复</translation>
    </message>
    <message>
        <source>Restore cancelled; nothing was written</source>
        <translation>已取消恢复；未写入任何内容</translation>
    </message>
    <message>
        <source>Restoring {n} variables into {path}…</source>
        <translation>正在将 {n} 个变量恢复到 {path}……</translation>
    </message>
</context>
<context>
    <name>ResultDialog</name>
    <message>
        <source>Output:</source>
        <translation>输出：</translation>
    </message>
    <message>
        <source>Open in pbscope</source>
        <translation>在 pbscope 中打开</translation>
    </message>
    <message>
        <source>Show Folder</source>
        <translation>显示文件夹</translation>
    </message>
</context>
<context>
    <name>TaskStrip</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消……</translation>
    </message>
</context>
<context>
    <name>ValueTableModel</name>
    <message>
        <source>value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>confirm_replace</name>
    <message>
        <source>{path} already exists.

Replace the file with the new output? Its current content is deleted once the new one is complete.</source>
        <translation>{path} 已存在。

要用新的输出替换该文件吗？新输出完成后，其当前内容将被删除。</translation>
    </message>
    <message>
        <source>{path} already exists.

Replace the folder with the new output? Its current content is deleted once the new one is complete.</source>
        <translation>{path} 已存在。

要用新的输出替换该文件夹吗？新输出完成后，其当前内容将被删除。</translation>
    </message>
    <message>
        <source>Replace it?</source>
        <translation>要替换吗？</translation>
    </message>
</context>
</TS>
